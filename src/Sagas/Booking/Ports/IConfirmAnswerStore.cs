using MassTransit;

namespace BookMyShow.Sagas.Booking.Ports;

/// <summary>
/// Stores the answer of one confirm request (hold and attempt) for the gateway that waits for it (ADR 7). The first
/// answer of a request stands; a later one changes nothing. In production it is written in the saga's own
/// transaction (<see cref="TransactionalConfirmAnswerStore"/>).
/// </summary>
public interface IConfirmAnswerStore
{
    Task AnswerAsync(ConsumeContext context, string holdId, string attemptId, ConfirmAnswer answer);
}
