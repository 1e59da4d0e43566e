using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using BookMyShow.Sagas.Booking.Activities;
using MassTransit;

namespace BookMyShow.Sagas.Booking;

/// <summary>
/// One instance per hold that someone tried to pay for (ADR 15): it starts at the first confirmation, then paying →
/// confirming → confirmed, or back to held after a decline, or released / expired, with late payments refunded. An
/// unpaid hold never has one: the partition grants, expires and releases it and announces each step itself. Seat
/// changes go back through the show's partition. Each step is an activity (<see cref="BookingActivityBinders"/>, ADR
/// 26); what they send and answer leaves through ports that, in production, write to the saga's own transaction, so
/// it goes out exactly when the new state is committed. Time is the partition's: the hold clock asks it to expire due
/// holds (ADR 14), and the saga follows its <see cref="HoldExpired"/>.
/// </summary>
public sealed class BookingStateMachine : MassTransitStateMachine<BookingState>
{
    readonly TimeProvider _time;

    // Stored by name in BookingState.CurrentState: keep them equal to BookingStates' constants.
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

    public BookingStateMachine(TimeProvider time)
    {
        _time = time;
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
            When(ConfirmRequested)
                .CopyHold()
                .IfElse(c => IsHoldRunning(c.Saga),
                    pay => pay
                        .BeginPaymentAttempt()
                        .ProtectHold()
                        .ChargePayment()
                        .TransitionTo(Paying),
                    late => late
                        .Then(c => c.Saga.EndReason = BookingEndReasons.Expired)
                        .AnswerHoldEnded()
                        .TransitionTo(Expired)));

        During(Held,
            When(ConfirmRequested)
                .IfElse(c => IsHoldRunning(c.Saga),
                    pay => pay
                        .BeginPaymentAttempt()
                        .ProtectHold()
                        .ChargePayment()
                        .TransitionTo(Paying),
                    late => late.AnswerHoldEnded()),
            // A success for an attempt given up on (the provider was down, a webhook settled it): booked if the hold
            // still runs, else refunded.
            When(PaymentSucceeded)
                .IfElse(c => IsHoldRunning(c.Saga),
                    book => book
                        .Then(c => c.Saga.AttemptId = c.Message.AttemptId)
                        .ConfirmSeats()
                        .TransitionTo(Confirming),
                    refund => refund
                        .RefundLatePayment()
                        .AnswerHoldEnded()
                        .TransitionTo(Refunding)));

        During(Paying,
            // Another confirmation. The one being paid, handed over again (its ack was lost after the commit), is
            // answered by the payment's outcome, not 409 about itself.
            When(ConfirmRequested, c => c.Message.AttemptId != c.Saga.AttemptId)
                .AnswerPaymentInProgress(),
            When(PaymentSucceeded, c => c.Message.AttemptId == c.Saga.AttemptId)
                .ConfirmSeats()
                .TransitionTo(Confirming),
            // An attempt given up on took the money after all: the attempt in flight decides, that charge goes back.
            When(PaymentSucceeded, c => c.Message.AttemptId != c.Saga.AttemptId)
                .RefundGivenUpAttempt(),
            When(PaymentDeclined, c => c.Message.AttemptId == c.Saga.AttemptId)
                .Then(c => c.Saga.LastPaymentError = c.Message.Code)
                .EndPaymentAttempt()
                // Kept only to the hold's own expiry again; one that passed meanwhile expires now.
                .ProtectHold()
                .If(c => !IsHoldRunning(c.Saga), expired => expired.ExpireHoldNow())
                .AnswerDeclined()
                .TransitionTo(Held),
            When(PaymentFailed, c => c.Message.AttemptId == c.Saga.AttemptId)
                .Then(c => c.Saga.LastPaymentError = c.Message.Reason)
                .EndPaymentAttempt()
                .ProtectHold()
                .If(c => !IsHoldRunning(c.Saga), expired => expired.ExpireHoldNow())
                .AnswerPaymentUnavailable()
                .TransitionTo(Held));

        During(Held, Paying,
            When(HoldExpired)
                .RecordHoldEnded()
                .TransitionTo(Expired),
            When(HoldReleased)
                .RecordHoldEnded()
                .TransitionTo(Released));

        During(Confirming,
            When(SeatsConfirmed)
                .TransitionTo(Confirmed),
            When(SeatsConfirmRefused)
                .RefundRefusedConfirmation()
                .AnswerHoldEnded()
                .TransitionTo(Refunding),
            When(ConfirmRequested, c => c.Message.AttemptId != c.Saga.AttemptId)
                .AnswerBeingConfirmed());

        // Every charge ends in a booking or a refund: once one charge is being booked (or refunded), any other is
        // given back; a copy of the same charge changes nothing.
        During(Confirming, Confirmed, Refunding, Refunded,
            When(PaymentSucceeded, c => c.Message.PaymentIntentId != c.Saga.PaymentIntentId)
                .RefundDuplicateCharge());

        During(Released, Expired,
            When(ConfirmRequested)
                .AnswerHoldEnded(),
            When(PaymentSucceeded)
                .RefundLatePayment()
                .AnswerHoldEnded()
                .TransitionTo(Refunding),
            When(PaymentDeclined)
                .AnswerHoldEnded(),
            When(PaymentFailed)
                .AnswerHoldEnded());

        During(Confirmed, Refunding, Refunded,
            When(ConfirmRequested)
                .AnswerNotActive());

        During(Refunding,
            When(PaymentRefunded, c => c.Message.PaymentIntentId == c.Saga.PaymentIntentId)
                .AnnounceRefund()
                .TransitionTo(Refunded));

        // The refund of another charge of the hold (a duplicate): tell the user, the state stays.
        During(Confirmed, Refunding, Refunded,
            When(PaymentRefunded, c => c.Message.PaymentIntentId != c.Saga.PaymentIntentId)
                .AnnounceRefund());
    }

    /// <summary>
    /// The hold still runs: before its expiry, or, while a payment is in flight, before the end of its payment grace.
    /// Read once per decision, so a message handled at the moment of expiry takes one branch, never both or neither.
    /// </summary>
    bool IsHoldRunning(BookingState saga) => _time.GetUtcNow().UtcDateTime < (saga.PaymentGraceUntil ?? saga.ExpiresAt);
}
