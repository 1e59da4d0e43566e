using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>
/// Answers the confirmation behind the message handled that the hold ended without a booking
/// (<see cref="BookingAnswers.HoldEnded"/>). When the message says money was taken (a payment that succeeded, a
/// confirmation the partition refused), the answer adds that it is being refunded.
/// </summary>
public sealed class AnswerHoldEndedActivity(IConfirmAnswerStore answers) :
    IStateMachineActivity<BookingState, ConfirmBooking>,
    IStateMachineActivity<BookingState, PaymentDeclined>,
    IStateMachineActivity<BookingState, PaymentFailed>,
    IStateMachineActivity<BookingState, PaymentSucceeded>,
    IStateMachineActivity<BookingState, SeatsConfirmRefused>
{
    public Task Execute(BehaviorContext<BookingState, ConfirmBooking> context, IBehavior<BookingState, ConfirmBooking> next) =>
        AnswerAsync(context, context.Message.AttemptId, refunded: false, next);

    public Task Execute(BehaviorContext<BookingState, PaymentDeclined> context, IBehavior<BookingState, PaymentDeclined> next) =>
        AnswerAsync(context, context.Message.AttemptId, refunded: false, next);

    public Task Execute(BehaviorContext<BookingState, PaymentFailed> context, IBehavior<BookingState, PaymentFailed> next) =>
        AnswerAsync(context, context.Message.AttemptId, refunded: false, next);

    public Task Execute(BehaviorContext<BookingState, PaymentSucceeded> context, IBehavior<BookingState, PaymentSucceeded> next) =>
        AnswerAsync(context, context.Message.AttemptId, refunded: true, next);

    public Task Execute(BehaviorContext<BookingState, SeatsConfirmRefused> context, IBehavior<BookingState, SeatsConfirmRefused> next) =>
        AnswerAsync(context, context.Message.AttemptId, refunded: true, next);

    async Task AnswerAsync<T>(BehaviorContext<BookingState, T> context, string attemptId, bool refunded, IBehavior<BookingState, T> next) where T : class
    {
        await answers.AnswerAsync(context, context.Saga.HoldId, attemptId, BookingAnswers.HoldEnded(context.Saga, refunded));
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<BookingState, ConfirmBooking, TException> context, IBehavior<BookingState, ConfirmBooking> next)
        where TException : Exception => next.Faulted(context);

    public Task Faulted<TException>(BehaviorExceptionContext<BookingState, PaymentDeclined, TException> context, IBehavior<BookingState, PaymentDeclined> next)
        where TException : Exception => next.Faulted(context);

    public Task Faulted<TException>(BehaviorExceptionContext<BookingState, PaymentFailed, TException> context, IBehavior<BookingState, PaymentFailed> next)
        where TException : Exception => next.Faulted(context);

    public Task Faulted<TException>(BehaviorExceptionContext<BookingState, PaymentSucceeded, TException> context, IBehavior<BookingState, PaymentSucceeded> next)
        where TException : Exception => next.Faulted(context);

    public Task Faulted<TException>(BehaviorExceptionContext<BookingState, SeatsConfirmRefused, TException> context, IBehavior<BookingState, SeatsConfirmRefused> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope(nameof(AnswerHoldEndedActivity));

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
