using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Bookings;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>Answers a confirmation 409 while another confirmation of the hold is being paid.</summary>
public sealed class AnswerPaymentInProgressActivity(IConfirmAnswerStore answers) : BookingActivity<ConfirmBooking>
{
    protected override Task RunAsync(BehaviorContext<BookingState, ConfirmBooking> context) =>
        answers.AnswerAsync(context, context.Saga.HoldId, context.Message.AttemptId, BookingAnswers.PaymentInProgress(context.Saga));
}

/// <summary>Answers a confirmation 409 while the paid hold's seats are being confirmed.</summary>
public sealed class AnswerBeingConfirmedActivity(IConfirmAnswerStore answers) : BookingActivity<ConfirmBooking>
{
    protected override Task RunAsync(BehaviorContext<BookingState, ConfirmBooking> context) =>
        answers.AnswerAsync(context, context.Saga.HoldId, context.Message.AttemptId, BookingAnswers.BeingConfirmed(context.Saga));
}

/// <summary>Answers a confirmation 409 once the hold is booked or its payment refunded.</summary>
public sealed class AnswerNotActiveActivity(IConfirmAnswerStore answers) : BookingActivity<ConfirmBooking>
{
    protected override Task RunAsync(BehaviorContext<BookingState, ConfirmBooking> context) =>
        answers.AnswerAsync(context, context.Saga.HoldId, context.Message.AttemptId, BookingAnswers.NotActive(context.Saga));
}
