using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>Answers the confirmation being paid for: the card was declined (402); the hold stays for another try.</summary>
public sealed class AnswerPaymentDeclinedActivity(IConfirmAnswerStore answers) : BookingActivity<PaymentDeclined>
{
    protected override Task RunAsync(BehaviorContext<BookingState, PaymentDeclined> context) =>
        answers.AnswerAsync(context, context.Saga.HoldId, context.Message.AttemptId, BookingAnswers.Declined(context.Saga, context.Message.Code));
}

/// <summary>Answers the confirmation being paid for: the provider could not be reached (503); the hold stays for another try.</summary>
public sealed class AnswerPaymentUnavailableActivity(IConfirmAnswerStore answers) : BookingActivity<PaymentFailed>
{
    protected override Task RunAsync(BehaviorContext<BookingState, PaymentFailed> context) =>
        answers.AnswerAsync(context, context.Saga.HoldId, context.Message.AttemptId, BookingAnswers.PaymentUnavailable(context.Saga));
}
