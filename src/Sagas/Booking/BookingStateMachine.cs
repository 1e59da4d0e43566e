using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using MassTransit;

namespace BookMyShow.Sagas.Booking;

/// <summary>
/// One instance per hold that someone tried to pay for (ADR 0015): it starts at the first confirmation, then paying →
/// confirming → confirmed, or back to held after a decline, or released / expired, with late payments refunded. An
/// unpaid hold never has one: the partition grants, expires and releases it and announces each step itself. Seat
/// changes go back through the show's partition; what the saga sends leaves through the outbox in the same transaction
/// as its new state (see <see cref="BookingActivities"/>). Time is the partition's: the hold clock asks it to expire
/// due holds (ADR 0014), and the saga follows its <see cref="HoldExpired"/>.
/// </summary>
public sealed class BookingStateMachine : MassTransitStateMachine<BookingState>
{
    public State Held { get; private set; } = null!;
    public State Paying { get; private set; } = null!;
    public State Confirming { get; private set; } = null!;
    public State Confirmed { get; private set; } = null!;
    public State Released { get; private set; } = null!;
    public State Expired { get; private set; } = null!;
    public State Refunding { get; private set; } = null!;
    public State Refunded { get; private set; } = null!;

    public Event<ConfirmBooking> ConfirmRequested { get; private set; } = null!;
    public Event<PaymentSucceeded> PaymentSucceeded { get; private set; } = null!;
    public Event<PaymentDeclined> PaymentDeclined { get; private set; } = null!;
    public Event<PaymentFailed> PaymentFailed { get; private set; } = null!;
    public Event<SeatsConfirmed> SeatsConfirmed { get; private set; } = null!;
    public Event<SeatsConfirmRefused> SeatsConfirmRefused { get; private set; } = null!;
    public Event<HoldReleased> HoldReleased { get; private set; } = null!;
    public Event<HoldExpired> HoldExpired { get; private set; } = null!;
    public Event<PaymentRefunded> PaymentRefunded { get; private set; } = null!;

    public BookingStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Event(() => ConfirmRequested, e => e.CorrelateById(c => BookingState.CorrelationOf(c.Message.HoldId)));
        Event(() => PaymentSucceeded, e => e.CorrelateById(c => BookingState.CorrelationOf(c.Message.HoldId)));
        Event(() => PaymentDeclined, e => e.CorrelateById(c => BookingState.CorrelationOf(c.Message.HoldId)));
        Event(() => PaymentFailed, e => e.CorrelateById(c => BookingState.CorrelationOf(c.Message.HoldId)));
        Event(() => SeatsConfirmed, e => e.CorrelateById(c => BookingState.CorrelationOf(c.Message.HoldId)));
        Event(() => SeatsConfirmRefused, e => e.CorrelateById(c => BookingState.CorrelationOf(c.Message.HoldId)));
        // Most holds end without anyone having tried to pay: no saga, nothing to do.
        Event(() => HoldReleased, e =>
        {
            e.CorrelateById(c => BookingState.CorrelationOf(c.Message.HoldId));
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => HoldExpired, e =>
        {
            e.CorrelateById(c => BookingState.CorrelationOf(c.Message.HoldId));
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => PaymentRefunded, e => e.CorrelateById(c => BookingState.CorrelationOf(c.Message.HoldId)));

        // Whatever a state does not expect (a duplicate, a late echo) changes nothing.
        OnUnhandledEvent(x => x.Ignore());

        Initially(
            When(ConfirmRequested, c => BookingActivities.Now(c) < c.Message.ExpiresAt.UtcDateTime)
                .Then(c => BookingActivities.Start(c))
                .Then(c => BookingActivities.StartPayment(c))
                .TransitionTo(Paying),
            When(ConfirmRequested, c => BookingActivities.Now(c) >= c.Message.ExpiresAt.UtcDateTime)
                .Then(c => BookingActivities.Start(c))
                .ThenAsync(c => BookingActivities.AnswerEndedAsync(c, c.Message.AttemptId, "EXPIRED"))
                .TransitionTo(Expired));

        During(Held,
            When(ConfirmRequested, c => BookingActivities.Now(c) >= c.Saga.ExpiresAt)
                .ThenAsync(c => BookingActivities.AnswerEndedAsync(c, c.Message.AttemptId, "EXPIRED")),
            When(ConfirmRequested, c => BookingActivities.Now(c) < c.Saga.ExpiresAt)
                .Then(c => BookingActivities.StartPayment(c))
                .TransitionTo(Paying),
            When(PaymentSucceeded)
                .ThenAsync(c => BookingActivities.ConfirmOrRefundLatePaymentAsync(c))
                .IfElse(c => c.Saga.BookingId is not null && c.Saga.PaymentIntentId == c.Message.PaymentIntentId,
                    confirm => confirm.TransitionTo(Confirming),
                    refund => refund.TransitionTo(Refunding)));

        During(Paying,
            When(ConfirmRequested)
                .ThenAsync(c => BookingActivities.AnswerAsync(c, c.Message.AttemptId, 409,
                    ConfirmAnswers.Problem(409, "Payment in progress", "Another confirmation of this hold is being paid.", c.Saga.HoldId))),
            When(PaymentSucceeded, c => c.Message.AttemptId == c.Saga.AttemptId)
                .Then(c => BookingActivities.ConfirmSeats(c))
                .TransitionTo(Confirming),
            When(PaymentDeclined, c => c.Message.AttemptId == c.Saga.AttemptId)
                .ThenAsync(c => BookingActivities.PaymentDeclinedAsync(c))
                .TransitionTo(Held),
            When(PaymentFailed, c => c.Message.AttemptId == c.Saga.AttemptId)
                .ThenAsync(c => BookingActivities.PaymentFailedAsync(c))
                .TransitionTo(Held),
            When(HoldExpired)
                .Then(c => BookingActivities.Expired(c))
                .TransitionTo(Expired),
            When(HoldReleased)
                .Then(c => BookingActivities.Released(c))
                .TransitionTo(Released));

        During(Held,
            When(HoldExpired)
                .Then(c => BookingActivities.Expired(c))
                .TransitionTo(Expired),
            When(HoldReleased)
                .Then(c => BookingActivities.Released(c))
                .TransitionTo(Released));

        During(Confirming,
            When(SeatsConfirmed)
                .TransitionTo(Confirmed),
            When(SeatsConfirmRefused)
                .ThenAsync(c => BookingActivities.RefundRefusedConfirmationAsync(c))
                .TransitionTo(Refunding),
            When(ConfirmRequested)
                .ThenAsync(c => BookingActivities.AnswerAsync(c, c.Message.AttemptId, 409,
                    ConfirmAnswers.Problem(409, "Payment in progress", "This hold has been paid and is being confirmed.", c.Saga.HoldId))));

        During(Released, Expired,
            When(ConfirmRequested)
                .ThenAsync(c => BookingActivities.AnswerEndedAsync(c, c.Message.AttemptId, c.Saga.EndReason ?? "EXPIRED")),
            When(PaymentSucceeded)
                .ThenAsync(c => BookingActivities.RefundLatePaymentAsync(c))
                .TransitionTo(Refunding),
            When(PaymentDeclined)
                .ThenAsync(c => BookingActivities.AnswerEndedAsync(c, c.Message.AttemptId, c.Saga.EndReason ?? "EXPIRED")),
            When(PaymentFailed)
                .ThenAsync(c => BookingActivities.AnswerEndedAsync(c, c.Message.AttemptId, c.Saga.EndReason ?? "EXPIRED")));

        During(Confirmed, Refunding, Refunded,
            When(ConfirmRequested)
                .ThenAsync(c => BookingActivities.AnswerAsync(c, c.Message.AttemptId, 409,
                    ConfirmAnswers.Problem(409, "Hold not active", $"This hold is already {c.Saga.CurrentState?.ToUpperInvariant()}.", c.Saga.HoldId))),
            When(PaymentSucceeded, c => c.Message.PaymentIntentId != c.Saga.PaymentIntentId)
                .Then(c => BookingActivities.RefundDuplicateCharge(c)));

        During(Refunding,
            When(PaymentRefunded)
                .Then(c => BookingActivities.Refunded(c))
                .TransitionTo(Refunded));

        // The refund of a second charge for a hold already booked (or refunded): tell the user, the state stays.
        During(Confirmed, Refunded,
            When(PaymentRefunded, c => c.Message.PaymentIntentId != c.Saga.PaymentIntentId)
                .Then(c => BookingActivities.Refunded(c)));
    }
}
