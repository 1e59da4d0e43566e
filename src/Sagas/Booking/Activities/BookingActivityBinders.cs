using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>
/// The booking saga's activities as verbs of its state machine: each adds one activity, which MassTransit resolves
/// from the message's service scope with its dependencies (<see cref="BookingActivityRegistration"/>).
/// </summary>
public static class BookingActivityBinders
{
    public static EventActivityBinder<BookingState, ConfirmBooking> CopyHold(this EventActivityBinder<BookingState, ConfirmBooking> binder) =>
        binder.Activity(x => x.OfType<CopyHoldActivity>());

    public static EventActivityBinder<BookingState, ConfirmBooking> BeginPaymentAttempt(this EventActivityBinder<BookingState, ConfirmBooking> binder) =>
        binder.Activity(x => x.OfType<BeginPaymentAttemptActivity>());

    public static EventActivityBinder<BookingState, ConfirmBooking> ChargePayment(this EventActivityBinder<BookingState, ConfirmBooking> binder) =>
        binder.Activity(x => x.OfType<ChargePaymentActivity>());

    public static EventActivityBinder<BookingState, T> ProtectHold<T>(this EventActivityBinder<BookingState, T> binder) where T : class =>
        binder.Activity(x => x.OfInstanceType<ProtectHoldActivity>());

    public static EventActivityBinder<BookingState, T> EndPaymentAttempt<T>(this EventActivityBinder<BookingState, T> binder) where T : class =>
        binder.Activity(x => x.OfInstanceType<EndPaymentAttemptActivity>());

    public static EventActivityBinder<BookingState, T> ExpireHoldNow<T>(this EventActivityBinder<BookingState, T> binder) where T : class =>
        binder.Activity(x => x.OfInstanceType<ExpireHoldNowActivity>());

    public static EventActivityBinder<BookingState, PaymentSucceeded> ConfirmSeats(this EventActivityBinder<BookingState, PaymentSucceeded> binder) =>
        binder.Activity(x => x.OfType<ConfirmSeatsActivity>());

    public static EventActivityBinder<BookingState, HoldExpired> RecordHoldEnded(this EventActivityBinder<BookingState, HoldExpired> binder) =>
        binder.Activity(x => x.OfType<RecordHoldEndedActivity>());

    public static EventActivityBinder<BookingState, HoldReleased> RecordHoldEnded(this EventActivityBinder<BookingState, HoldReleased> binder) =>
        binder.Activity(x => x.OfType<RecordHoldEndedActivity>());

    public static EventActivityBinder<BookingState, PaymentSucceeded> RefundLatePayment(this EventActivityBinder<BookingState, PaymentSucceeded> binder) =>
        binder.Activity(x => x.OfType<RefundLatePaymentActivity>());

    public static EventActivityBinder<BookingState, PaymentSucceeded> RefundDuplicateCharge(this EventActivityBinder<BookingState, PaymentSucceeded> binder) =>
        binder.Activity(x => x.OfType<RefundDuplicateChargeActivity>());

    public static EventActivityBinder<BookingState, PaymentSucceeded> RefundGivenUpAttempt(this EventActivityBinder<BookingState, PaymentSucceeded> binder) =>
        binder.Activity(x => x.OfType<RefundGivenUpAttemptActivity>());

    public static EventActivityBinder<BookingState, SeatsConfirmRefused> RefundRefusedConfirmation(
        this EventActivityBinder<BookingState, SeatsConfirmRefused> binder) =>
        binder.Activity(x => x.OfType<RefundRefusedConfirmationActivity>());

    public static EventActivityBinder<BookingState, PaymentRefunded> AnnounceRefund(this EventActivityBinder<BookingState, PaymentRefunded> binder) =>
        binder.Activity(x => x.OfType<AnnounceRefundActivity>());

    public static EventActivityBinder<BookingState, ConfirmBooking> AnswerPaymentInProgress(this EventActivityBinder<BookingState, ConfirmBooking> binder) =>
        binder.Activity(x => x.OfType<AnswerPaymentInProgressActivity>());

    public static EventActivityBinder<BookingState, ConfirmBooking> AnswerBeingConfirmed(this EventActivityBinder<BookingState, ConfirmBooking> binder) =>
        binder.Activity(x => x.OfType<AnswerBeingConfirmedActivity>());

    public static EventActivityBinder<BookingState, ConfirmBooking> AnswerNotActive(this EventActivityBinder<BookingState, ConfirmBooking> binder) =>
        binder.Activity(x => x.OfType<AnswerNotActiveActivity>());

    public static EventActivityBinder<BookingState, PaymentDeclined> AnswerDeclined(this EventActivityBinder<BookingState, PaymentDeclined> binder) =>
        binder.Activity(x => x.OfType<AnswerPaymentDeclinedActivity>());

    public static EventActivityBinder<BookingState, PaymentFailed> AnswerPaymentUnavailable(this EventActivityBinder<BookingState, PaymentFailed> binder) =>
        binder.Activity(x => x.OfType<AnswerPaymentUnavailableActivity>());

    public static EventActivityBinder<BookingState, ConfirmBooking> AnswerHoldEnded(this EventActivityBinder<BookingState, ConfirmBooking> binder) =>
        binder.Activity(x => x.OfType<AnswerHoldEndedActivity>());

    public static EventActivityBinder<BookingState, PaymentDeclined> AnswerHoldEnded(this EventActivityBinder<BookingState, PaymentDeclined> binder) =>
        binder.Activity(x => x.OfType<AnswerHoldEndedActivity>());

    public static EventActivityBinder<BookingState, PaymentFailed> AnswerHoldEnded(this EventActivityBinder<BookingState, PaymentFailed> binder) =>
        binder.Activity(x => x.OfType<AnswerHoldEndedActivity>());

    public static EventActivityBinder<BookingState, PaymentSucceeded> AnswerHoldEnded(this EventActivityBinder<BookingState, PaymentSucceeded> binder) =>
        binder.Activity(x => x.OfType<AnswerHoldEndedActivity>());

    public static EventActivityBinder<BookingState, SeatsConfirmRefused> AnswerHoldEnded(this EventActivityBinder<BookingState, SeatsConfirmRefused> binder) =>
        binder.Activity(x => x.OfType<AnswerHoldEndedActivity>());
}
