using BookMyShow.Core.Bookings;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Ports;

/// <summary>Writes the confirm request's answer and its <c>ConfirmationAnswered</c> through the saga's own DbContext.</summary>
public sealed class TransactionalConfirmAnswerStore(TimeProvider time) : IConfirmAnswerStore
{
    public Task AnswerAsync(ConsumeContext context, string holdId, string attemptId, ConfirmAnswer answer) =>
        ConfirmAnswers.AnswerAsync(SagaTransaction.DbOf(context), holdId, attemptId, answer.StatusCode, answer.Body, time.GetUtcNow().UtcDateTime,
            context.CancellationToken);
}
