using BookMyShow.Core.Bookings;
using static BookMyShow.Core.Bookings.ConfirmAnswers;

namespace BookMyShow.Sagas.Booking;

/// <summary>
/// What the saga answers a confirm request, by the saga's state and what happened to the payment; the bodies are
/// problem details the gateway returns as they are (ADR 7).
/// </summary>
public static class BookingAnswers
{
    /// <summary>A second confirmation while another one's payment is in flight.</summary>
    public static ConfirmAnswer PaymentInProgress(BookingState saga) =>
        new(409, Problem(409, "Payment in progress", "Another confirmation of this hold is being paid.", saga.HoldId));

    /// <summary>A confirmation while the paid hold's seats are being confirmed.</summary>
    public static ConfirmAnswer BeingConfirmed(BookingState saga) =>
        new(409, Problem(409, "Payment in progress", "This hold has been paid and is being confirmed.", saga.HoldId));

    /// <summary>A confirmation of a hold that is booked, or whose payment is being or has been refunded.</summary>
    public static ConfirmAnswer NotActive(BookingState saga) =>
        new(409, Problem(409, "Hold not active", $"This hold is already {saga.CurrentState.ToUpperInvariant()}.", saga.HoldId));

    public static ConfirmAnswer Declined(BookingState saga, string declineCode) =>
        new(402, Problem(402, "Payment declined",
            $"The payment was declined ({declineCode}). The hold stays until it expires; try another payment method.", saga.HoldId,
            new { decline_code = declineCode, expires_at = Utc(saga.ExpiresAt) }));

    public static ConfirmAnswer PaymentUnavailable(BookingState saga) =>
        new(503, Problem(503, "Payment unavailable",
            "The payment provider could not be reached. Nothing was confirmed; if money was taken it is confirmed or refunded automatically. Try again.",
            saga.HoldId, new { expires_at = Utc(saga.ExpiresAt) }));

    /// <summary>
    /// The hold ended without a booking (<see cref="BookingState.EndReason"/>; none yet means it ran out of time):
    /// 409 when released, 410 when expired, 503 when the booking could not be written before the confirm deadline.
    /// <paramref name="refunded"/>: money was taken for this request and is being given back.
    /// </summary>
    public static ConfirmAnswer HoldEnded(BookingState saga, bool refunded)
    {
        var reason = saga.EndReason ?? BookingEndReasons.Expired;
        if (reason == BookingEndReasons.ConfirmDeadlinePassed)
        {
            return new(503, Problem(503, "Booking failed",
                "The payment went through but the booking could not be written in time; the payment is being refunded.", saga.HoldId,
                new { refund = PendingRefund(saga, saga.PaymentIntentId) }));
        }
        object? refund = refunded && saga.PaymentIntentId is { } intent ? new { refund = PendingRefund(saga, intent) } : null;
        var refunding = refunded ? " The payment is being refunded." : "";
        return reason == BookingEndReasons.Released
            ? new(409, Problem(409, "Hold released", "The hold was released; nothing is booked." + refunding, saga.HoldId, refund))
            : new(410, Problem(410, "Hold expired", "The hold expired; its seats were released." + refunding, saga.HoldId, refund));
    }

    static object PendingRefund(BookingState saga, string? paymentIntentId) =>
        new { payment_intent_id = paymentIntentId, amount = saga.Amount, currency = saga.Currency, status = "PENDING" };

    static DateTimeOffset Utc(DateTime value) => new(value, TimeSpan.Zero);
}
