using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Outbox;
using BookMyShow.Core.Persistence;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BookMyShow.Sagas.Booking;

/// <summary>
/// What the booking saga does on each step. Outgoing commands and events are written to the outbox through the
/// saga's own <see cref="BookingDbContext"/>, so they commit with the saga's new state or not at all.
/// </summary>
public static class BookingActivities
{
    static BookingDbContext Db(SagaConsumeContext<BookingState> c) => c.GetPayload<BookingDbContext>();

    static T Service<T>(ConsumeContext c) where T : class => c.GetServiceOrCreateInstance<T>();

    static BookingOptions Options(ConsumeContext c) => Service<IOptions<BookingOptions>>(c).Value;

    public static DateTime Now(ConsumeContext c) => Service<TimeProvider>(c).GetUtcNow().UtcDateTime;

    static void Send<T>(BehaviorContext<BookingState> c, T message, Uri destination) where T : class =>
        Db(c).Send(message, destination, Now(c));

    static void SendToPartition<T>(BehaviorContext<BookingState> c, T message) where T : class =>
        Send(c, message, Service<PartitionRouter>(c).AddressOf(c.Saga.ShowId));

    static Uri Payments(BehaviorContext<BookingState> c) => Service<PartitionRouter>(c).AddressOfEndpoint(Options(c).PaymentsQueue);

    /// <summary>The first confirmation of a hold starts its saga, from the hold as the gateway read it.</summary>
    public static void Start(BehaviorContext<BookingState, ConfirmBooking> c)
    {
        var m = c.Message;
        c.Saga.HoldId = m.HoldId;
        c.Saga.ShowId = m.ShowId;
        c.Saga.UserId = m.UserId;
        c.Saga.SeatIds = SeatList.Join(m.SeatIds);
        c.Saga.Amount = m.Amount;
        c.Saga.Currency = m.Currency;
        c.Saga.ExpiresAt = m.ExpiresAt.UtcDateTime;
        c.Saga.UpdatedAt = Now(c);
        if (Now(c) >= c.Saga.ExpiresAt) c.Saga.EndReason = "EXPIRED";
    }

    /// <summary>
    /// Publishes a booking event with an id derived from the message being handled: should that message come again
    /// and reach this step again, the copy carries the same id and consumers' inboxes drop it.
    /// </summary>
    static void Publish<T>(BehaviorContext<BookingState> c, T message) where T : class =>
        Db(c).Publish(message, Now(c), OutboxWriter.DerivedMessageId(c.MessageId ?? c.Saga.CorrelationId, typeof(T).Name));

    static DateTimeOffset Utc(DateTime value) => new(value, TimeSpan.Zero);

    /// <summary>The partition released the hold (and told the user, ADR 0015); a payment arriving now is refunded.</summary>
    public static void Released(BehaviorContext<BookingState, HoldReleased> c)
    {
        c.Saga.EndReason = "RELEASED";
        c.Saga.UpdatedAt = Now(c);
    }

    /// <summary>The partition expired the hold (and told the user, ADR 0015); a payment arriving now is refunded.</summary>
    public static void Expired(BehaviorContext<BookingState, HoldExpired> c)
    {
        c.Saga.EndReason = "EXPIRED";
        c.Saga.UpdatedAt = Now(c);
    }

    public static void Refunded(BehaviorContext<BookingState, PaymentRefunded> c)
    {
        c.Saga.RefundId ??= c.Message.RefundId;
        c.Saga.UpdatedAt = Now(c);
        Publish(c, new BookingRefunded
        {
            HoldId = c.Saga.HoldId,
            // A refund of a duplicate charge: the booking itself stands.
            BookingId = c.Saga.CurrentState == "Confirmed" ? c.Saga.BookingId : null,
            ShowId = c.Saga.ShowId, UserId = c.Saga.UserId, SeatIds = SeatList.Split(c.Saga.SeatIds),
            Amount = c.Message.Amount, Currency = c.Message.Currency, PaymentIntentId = c.Message.PaymentIntentId, RefundId = c.Message.RefundId,
            RefundedAt = Utc(Now(c)),
        });
    }

    public static void StartPayment(BehaviorContext<BookingState, ConfirmBooking> c)
    {
        var now = Now(c);
        c.Saga.AttemptId = c.Message.AttemptId;
        c.Saga.IdempotencyKey = c.Message.IdempotencyKey;
        c.Saga.Attempts++;
        c.Saga.PaymentGraceUntil = c.Saga.ExpiresAt + Options(c).PaymentGrace;
        c.Saga.UpdatedAt = now;
        // The seats stay held while the money moves, up to the grace.
        SendToPartition(c, new ProtectHoldForPayment
        {
            HoldId = c.Saga.HoldId, ShowId = c.Saga.ShowId, Until = new DateTimeOffset(c.Saga.PaymentGraceUntil.Value, TimeSpan.Zero),
        });
        Send(c, new ChargePayment
        {
            HoldId = c.Saga.HoldId, ShowId = c.Saga.ShowId, UserId = c.Saga.UserId, AttemptId = c.Message.AttemptId,
            Amount = c.Saga.Amount, Currency = c.Saga.Currency, PaymentToken = c.Message.PaymentToken,
        }, Payments(c));
    }

    public static void ConfirmSeats(BehaviorContext<BookingState, PaymentSucceeded> c)
    {
        c.Saga.PaymentIntentId = c.Message.PaymentIntentId;
        c.Saga.BookingId ??= "b_" + c.Saga.CorrelationId.ToString("N");
        c.Saga.UpdatedAt = Now(c);
        SendToPartition(c, new ConfirmSeats
        {
            HoldId = c.Saga.HoldId, ShowId = c.Saga.ShowId, UserId = c.Saga.UserId, BookingId = c.Saga.BookingId,
            AttemptId = c.Message.AttemptId, PaymentIntentId = c.Message.PaymentIntentId, Amount = c.Message.Amount, Currency = c.Message.Currency,
            IdempotencyKey = c.Saga.IdempotencyKey,
            PaidAt = c.Message.SucceededAt ?? new DateTimeOffset(Now(c), TimeSpan.Zero),
        });
    }

    /// <summary>A success for an attempt that had been given up on (e.g. from a webhook): confirm if there is still time, else refund.</summary>
    public static async Task ConfirmOrRefundLatePaymentAsync(BehaviorContext<BookingState, PaymentSucceeded> c)
    {
        if (Now(c) < (c.Saga.PaymentGraceUntil ?? c.Saga.ExpiresAt))
        {
            c.Saga.AttemptId = c.Message.AttemptId;
            ConfirmSeats(c);
            return;
        }
        await RefundLatePaymentAsync(c);
    }

    public static async Task RefundLatePaymentAsync(BehaviorContext<BookingState, PaymentSucceeded> c)
    {
        c.Saga.PaymentIntentId = c.Message.PaymentIntentId;
        c.Saga.UpdatedAt = Now(c);
        var reason = c.Saga.EndReason ?? "EXPIRED";
        Send(c, Refund(c.Saga, c.Message.PaymentIntentId, c.Message.Amount, c.Message.Currency, $"hold {reason.ToLowerInvariant()} before payment completed"), Payments(c));
        await AnswerEndedAsync(c, c.Message.AttemptId, reason, refunded: true);
    }

    public static async Task RefundRefusedConfirmationAsync(BehaviorContext<BookingState, SeatsConfirmRefused> c)
    {
        c.Saga.PaymentIntentId = c.Message.PaymentIntentId;
        c.Saga.EndReason = c.Message.HoldStatus;
        c.Saga.UpdatedAt = Now(c);
        Send(c, Refund(c.Saga, c.Message.PaymentIntentId, c.Saga.Amount, c.Saga.Currency, $"hold {c.Message.HoldStatus.ToLowerInvariant()} before seats were confirmed"), Payments(c));
        await AnswerEndedAsync(c, c.Message.AttemptId, c.Message.HoldStatus, refunded: true);
    }

    public static void RefundDuplicateCharge(BehaviorContext<BookingState, PaymentSucceeded> c) =>
        Send(c, Refund(c.Saga, c.Message.PaymentIntentId, c.Message.Amount, c.Message.Currency, "duplicate charge for a hold already paid"), Payments(c));

    static RefundPayment Refund(BookingState saga, string paymentIntentId, decimal amount, string currency, string reason) => new()
    {
        HoldId = saga.HoldId, ShowId = saga.ShowId, PaymentIntentId = paymentIntentId, Amount = amount, Currency = currency, Reason = reason,
    };

    public static async Task PaymentDeclinedAsync(BehaviorContext<BookingState, PaymentDeclined> c)
    {
        c.Saga.LastPaymentError = c.Message.Code;
        await EndPaymentAttemptAsync(c, c.Message.AttemptId, 402, ConfirmAnswers.Problem(402, "Payment declined",
            $"The payment was declined ({c.Message.Code}). The hold stays until it expires; try another payment method.", c.Saga.HoldId,
            new { decline_code = c.Message.Code, expires_at = new DateTimeOffset(c.Saga.ExpiresAt, TimeSpan.Zero) }));
    }

    public static async Task PaymentFailedAsync(BehaviorContext<BookingState, PaymentFailed> c)
    {
        c.Saga.LastPaymentError = c.Message.Reason;
        await EndPaymentAttemptAsync(c, c.Message.AttemptId, 503, ConfirmAnswers.Problem(503, "Payment unavailable",
            "The payment provider could not be reached. Nothing was confirmed; if money was taken it is confirmed or refunded automatically. Try again.",
            c.Saga.HoldId, new { expires_at = new DateTimeOffset(c.Saga.ExpiresAt, TimeSpan.Zero) }));
    }

    /// <summary>The attempt is over without money: the grace ends, and a hold already past expiry expires now.</summary>
    static async Task EndPaymentAttemptAsync(BehaviorContext<BookingState> c, string attemptId, int status, object body)
    {
        var now = Now(c);
        c.Saga.PaymentGraceUntil = null;
        c.Saga.UpdatedAt = now;
        SendToPartition(c, new ProtectHoldForPayment
        {
            HoldId = c.Saga.HoldId, ShowId = c.Saga.ShowId, Until = new DateTimeOffset(c.Saga.ExpiresAt, TimeSpan.Zero),
        });
        if (now >= c.Saga.ExpiresAt) ExpireNow(c);
        await AnswerAsync(c, attemptId, status, body);
    }

    /// <summary>Asks the partition to expire the hold now (it checks the hold is past expiry).</summary>
    public static void ExpireNow(BehaviorContext<BookingState> c)
    {
        c.Saga.UpdatedAt = Now(c);
        SendToPartition(c, new ExpireHolds { ShowId = c.Saga.ShowId, HoldIds = [c.Saga.HoldId], IgnorePaymentGrace = true });
    }

    public static Task AnswerEndedAsync(BehaviorContext<BookingState> c, string attemptId, string reason, bool refunded = false)
    {
        if (reason == SeatsRefusal.DeadlinePassed)
        {
            return AnswerAsync(c, attemptId, 503, ConfirmAnswers.Problem(503, "Booking failed",
                "The payment went through but the booking could not be written in time; the payment is being refunded.", c.Saga.HoldId,
                new { refund = new { payment_intent_id = c.Saga.PaymentIntentId, amount = c.Saga.Amount, currency = c.Saga.Currency, status = "PENDING" } }));
        }
        object? refund = refunded && c.Saga.PaymentIntentId is { } intent
            ? new { refund = new { payment_intent_id = intent, amount = c.Saga.Amount, currency = c.Saga.Currency, status = "PENDING" } }
            : null;
        return reason == "RELEASED"
            ? AnswerAsync(c, attemptId, 409, ConfirmAnswers.Problem(409, "Hold released", "The hold was released; nothing is booked." + (refunded ? " The payment is being refunded." : ""), c.Saga.HoldId, refund))
            : AnswerAsync(c, attemptId, 410, ConfirmAnswers.Problem(410, "Hold expired", "The hold expired; its seats were released." + (refunded ? " The payment is being refunded." : ""), c.Saga.HoldId, refund));
    }

    public static Task AnswerAsync(BehaviorContext<BookingState> c, string attemptId, int status, object body) =>
        ConfirmAnswers.AnswerAsync(Db(c), c.Saga.HoldId, attemptId, status, body, Now(c), c.CancellationToken);
}
