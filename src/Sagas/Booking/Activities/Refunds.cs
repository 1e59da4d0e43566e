using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>The refund command the refund activities send to the payment worker.</summary>
static class Refunds
{
    public static RefundPayment Of(BookingState saga, string paymentIntentId, decimal amount, string currency, string reason) => new()
    {
        HoldId = saga.HoldId, ShowId = saga.ShowId, PaymentIntentId = paymentIntentId, Amount = amount, Currency = currency, Reason = reason,
    };
}
