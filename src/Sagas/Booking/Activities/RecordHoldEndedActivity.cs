using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Bookings;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>
/// The partition expired or released the hold (and told the user, ADR 15). The saga keeps why, so that a payment
/// arriving later is refunded and answered 410 or 409.
/// </summary>
public sealed class RecordHoldEndedActivity(TimeProvider time) :
    IStateMachineActivity<BookingState, HoldExpired>,
    IStateMachineActivity<BookingState, HoldReleased>
{
    public Task Execute(BehaviorContext<BookingState, HoldExpired> context, IBehavior<BookingState, HoldExpired> next)
    {
        Record(context.Saga, BookingEndReasons.Expired);
        return next.Execute(context);
    }

    public Task Execute(BehaviorContext<BookingState, HoldReleased> context, IBehavior<BookingState, HoldReleased> next)
    {
        Record(context.Saga, BookingEndReasons.Released);
        return next.Execute(context);
    }

    void Record(BookingState saga, string reason)
    {
        saga.EndReason = reason;
        saga.UpdatedAt = time.GetUtcNow().UtcDateTime;
    }

    public Task Faulted<TException>(BehaviorExceptionContext<BookingState, HoldExpired, TException> context, IBehavior<BookingState, HoldExpired> next)
        where TException : Exception => next.Faulted(context);

    public Task Faulted<TException>(BehaviorExceptionContext<BookingState, HoldReleased, TException> context, IBehavior<BookingState, HoldReleased> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope(nameof(RecordHoldEndedActivity));

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
