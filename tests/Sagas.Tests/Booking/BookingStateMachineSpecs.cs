using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Outbox;

namespace BookMyShow.Sagas.Tests.Booking;

/// <summary>
/// The booking saga's states and transitions, one hold per scenario, on MassTransit's test harness (no database, no
/// broker): what it sends to the partition and the payment worker, what it publishes, what it answers the confirm
/// request, and where it ends. The hold expires ten minutes after the start; the clock moves only when a scenario
/// says so. The money rule throughout: a charge ends in a booking or a refund.
/// </summary>
[Trait("Tier", "Fast")]
public sealed class BookingStateMachineSpecs : IAsyncLifetime
{
    static readonly TimeSpan Grace = BookingSagaHarness.Options.PaymentGrace;

    BookingSagaHarness _saga = null!;

    public async Task InitializeAsync() => _saga = await BookingSagaHarness.StartAsync();

    public async Task DisposeAsync() => await _saga.DisposeAsync();

    BookingState State => _saga.State;

    [Fact]
    public async Task First_confirmation_of_a_running_hold_charges_it_and_keeps_its_seats_through_the_payment_grace()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));

        Assert.Equal(BookingStates.Paying, State.CurrentState);
        Assert.Equal(_saga.HoldId, State.HoldId);
        Assert.Equal("A1,A2", State.SeatIds);
        Assert.Equal(BookingSagaHarness.Amount, State.Amount);
        Assert.Equal(_saga.ExpiresAt.UtcDateTime, State.ExpiresAt);
        Assert.Equal("a_1", State.AttemptId);
        Assert.Equal("key-a_1", State.IdempotencyKey);
        Assert.Equal(1, State.Attempts);
        Assert.Equal((_saga.ExpiresAt + Grace).UtcDateTime, State.PaymentGraceUntil);
        var (protect, protectQueue) = Assert.Single(_saga.Sent<ProtectHoldForPayment>());
        Assert.Equal(_saga.PartitionQueue, protectQueue);
        Assert.Equal(_saga.ExpiresAt + Grace, protect.Until);
        var (charge, chargeQueue) = Assert.Single(_saga.Sent<ChargePayment>());
        Assert.Equal(BookingSagaHarness.PaymentsQueue, chargeQueue);
        Assert.Equal(("a_1", "pm_card_visa", BookingSagaHarness.Amount, BookingSagaHarness.Currency, BookingSagaHarness.UserId),
            (charge.AttemptId, charge.PaymentToken, charge.Amount, charge.Currency, charge.UserId));
        // The answer comes with the outcome of the payment.
        Assert.Empty(_saga.Answers.All);
    }

    [Fact]
    public async Task First_confirmation_at_the_moment_the_hold_expires_answers_410_and_charges_nothing()
    {
        _saga.SetClockToExpiry(TimeSpan.Zero);

        await _saga.DeliverAsync(_saga.Confirm("a_1"));

        Assert.Equal(BookingStates.Expired, State.CurrentState);
        Assert.Equal(BookingEndReasons.Expired, State.EndReason);
        var answer = Assert.Single(_saga.Answers.To("a_1"));
        Assert.Equal((410, "Hold expired", "The hold expired; its seats were released."), (answer.StatusCode, answer.Title, answer.Detail));
        Assert.False(answer.Body.TryGetProperty("refund", out _));
        Assert.Empty(_saga.Sent<ChargePayment>());
        Assert.Empty(_saga.Sent<ProtectHoldForPayment>());
    }

    [Fact]
    public async Task Paid_hold_asks_its_partition_to_confirm_the_seats_and_is_booked_when_they_are()
    {
        var paidAt = BookingSagaHarness.Start.AddSeconds(30);
        await _saga.DeliverAsync(_saga.Confirm("a_1"));

        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1", paidAt));

        Assert.Equal(BookingStates.Confirming, State.CurrentState);
        Assert.Equal("b_" + _saga.CorrelationId.ToString("N"), State.BookingId);
        var (confirm, queue) = Assert.Single(_saga.Sent<ConfirmSeats>());
        Assert.Equal(_saga.PartitionQueue, queue);
        Assert.Equal((State.BookingId, "a_1", "pi_1", BookingSagaHarness.Amount, "key-a_1", paidAt),
            (confirm.BookingId, confirm.AttemptId, confirm.PaymentIntentId, confirm.Amount, confirm.IdempotencyKey, confirm.PaidAt));

        await _saga.DeliverAsync(_saga.SeatsConfirmed("pi_1"));

        Assert.Equal(BookingStates.Confirmed, State.CurrentState);
        // The partition answers 200 with the booking, in the transaction that writes it.
        Assert.Empty(_saga.Answers.All);
        Assert.Empty(_saga.Sent<RefundPayment>());
    }

    [Fact]
    public async Task Declined_payment_answers_402_returns_to_held_and_a_second_card_pays()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1", "pm_card_chargeDeclined"));

        await _saga.DeliverAsync(_saga.Declined("a_1", "insufficient_funds"));

        Assert.Equal(BookingStates.Held, State.CurrentState);
        Assert.Equal("insufficient_funds", State.LastPaymentError);
        Assert.Null(State.PaymentGraceUntil);
        var declined = Assert.Single(_saga.Answers.To("a_1"));
        Assert.Equal((402, "Payment declined"), (declined.StatusCode, declined.Title));
        Assert.Equal("insufficient_funds", declined.Body.GetProperty("decline_code").GetString());
        Assert.Equal(_saga.ExpiresAt, declined.Body.GetProperty("expires_at").GetDateTimeOffset());
        // The seats are kept to the hold's own expiry again; it has not passed, so nothing expires now.
        Assert.Equal([_saga.ExpiresAt + Grace, _saga.ExpiresAt], _saga.Sent<ProtectHoldForPayment>().Select(p => p.Message.Until));
        Assert.Empty(_saga.Sent<ExpireHolds>());

        await _saga.DeliverAsync(_saga.Confirm("a_2"));

        Assert.Equal(BookingStates.Paying, State.CurrentState);
        Assert.Equal(("a_2", 2), (State.AttemptId, State.Attempts));
        Assert.Equal([("a_1", "pm_card_chargeDeclined"), ("a_2", "pm_card_visa")],
            _saga.Sent<ChargePayment>().Select(c => (c.Message.AttemptId, c.Message.PaymentToken)));

        await _saga.DeliverAsync(_saga.Succeeded("a_2", "pi_2"));
        await _saga.DeliverAsync(_saga.SeatsConfirmed("pi_2"));

        Assert.Equal(BookingStates.Confirmed, State.CurrentState);
        Assert.Equal("pi_2", Assert.Single(_saga.Sent<ConfirmSeats>()).Message.PaymentIntentId);
        Assert.Empty(_saga.Answers.To("a_2"));
        Assert.Empty(_saga.Sent<RefundPayment>());
    }

    [Fact]
    public async Task Provider_down_answers_503_and_the_hold_stays_for_another_try()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1", "pm_card_simulateTimeout"));

        await _saga.DeliverAsync(_saga.Failed("a_1"));

        Assert.Equal(BookingStates.Held, State.CurrentState);
        Assert.Equal("provider unreachable after 4 attempts", State.LastPaymentError);
        Assert.Null(State.PaymentGraceUntil);
        var answer = Assert.Single(_saga.Answers.To("a_1"));
        Assert.Equal((503, "Payment unavailable"), (answer.StatusCode, answer.Title));
        Assert.Equal(_saga.ExpiresAt, _saga.Sent<ProtectHoldForPayment>()[^1].Message.Until);
        Assert.Empty(_saga.Sent<ExpireHolds>());
    }

    [Fact]
    public async Task Decline_after_the_hold_ran_out_during_the_payment_asks_the_partition_to_expire_it_now()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        // Past the expiry, within the payment grace: only the payment kept the seats.
        _saga.SetClockToExpiry(TimeSpan.FromSeconds(10));

        await _saga.DeliverAsync(_saga.Declined("a_1"));

        Assert.Equal(BookingStates.Held, State.CurrentState);
        var (expire, queue) = Assert.Single(_saga.Sent<ExpireHolds>());
        Assert.Equal(_saga.PartitionQueue, queue);
        Assert.Equal([_saga.HoldId], expire.HoldIds);
        Assert.True(expire.IgnorePaymentGrace);
        Assert.Equal(402, Assert.Single(_saga.Answers.To("a_1")).StatusCode);

        await _saga.DeliverAsync(_saga.HoldExpired());

        Assert.Equal(BookingStates.Expired, State.CurrentState);
        Assert.Equal(BookingEndReasons.Expired, State.EndReason);
    }

    [Fact]
    public async Task Second_confirmation_while_paying_answers_409_and_the_hold_is_charged_once()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));

        await _saga.DeliverAsync(_saga.Confirm("a_2"));

        var answer = Assert.Single(_saga.Answers.To("a_2"));
        Assert.Equal((409, "Payment in progress", "Another confirmation of this hold is being paid."), (answer.StatusCode, answer.Title, answer.Detail));
        Assert.Equal((BookingStates.Paying, "a_1"), (State.CurrentState, State.AttemptId));
        Assert.Single(_saga.Sent<ChargePayment>());
        Assert.Empty(_saga.Answers.To("a_1"));
    }

    [Fact]
    public async Task Expiry_while_paying_ends_the_booking_and_the_payment_that_follows_is_refunded_and_answered_410()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        _saga.SetClockToExpiry(Grace + TimeSpan.FromSeconds(1));
        await _saga.DeliverAsync(_saga.HoldExpired());

        Assert.Equal((BookingStates.Expired, BookingEndReasons.Expired), (State.CurrentState, State.EndReason));

        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));

        Assert.Equal(BookingStates.Refunding, State.CurrentState);
        Assert.Empty(_saga.Sent<ConfirmSeats>());
        var (refund, queue) = Assert.Single(_saga.Sent<RefundPayment>());
        Assert.Equal(BookingSagaHarness.PaymentsQueue, queue);
        Assert.Equal(("pi_1", BookingSagaHarness.Amount, "hold expired before payment completed"), (refund.PaymentIntentId, refund.Amount, refund.Reason));
        var answer = Assert.Single(_saga.Answers.To("a_1"));
        Assert.Equal((410, "Hold expired", "The hold expired; its seats were released. The payment is being refunded."),
            (answer.StatusCode, answer.Title, answer.Detail));
        Assert.Equal("pi_1", answer.Body.GetProperty("refund").GetProperty("payment_intent_id").GetString());
        Assert.Equal("PENDING", answer.Body.GetProperty("refund").GetProperty("status").GetString());

        await _saga.DeliverAsync(_saga.Refunded("pi_1", "re_1"));

        Assert.Equal((BookingStates.Refunded, "re_1"), (State.CurrentState, State.RefundId));
        var (refunded, _) = Assert.Single(_saga.Published<BookingRefunded>());
        Assert.Equal(((string?)null, "pi_1", "re_1", BookingSagaHarness.Amount), (refunded.BookingId, refunded.PaymentIntentId, refunded.RefundId, refunded.Amount));
        Assert.Equal(["A1", "A2"], refunded.SeatIds);
    }

    [Fact]
    public async Task Release_while_paying_refunds_the_payment_and_answers_409()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.HoldReleased());

        Assert.Equal((BookingStates.Released, BookingEndReasons.Released), (State.CurrentState, State.EndReason));

        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));

        Assert.Equal(BookingStates.Refunding, State.CurrentState);
        Assert.Equal("hold released before payment completed", Assert.Single(_saga.Sent<RefundPayment>()).Message.Reason);
        var answer = Assert.Single(_saga.Answers.To("a_1"));
        Assert.Equal((409, "Hold released", "The hold was released; nothing is booked. The payment is being refunded."),
            (answer.StatusCode, answer.Title, answer.Detail));
        Assert.Equal("pi_1", answer.Body.GetProperty("refund").GetProperty("payment_intent_id").GetString());
    }

    [Fact]
    public async Task Decline_after_the_hold_was_released_answers_409_with_nothing_to_refund()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.HoldReleased());

        await _saga.DeliverAsync(_saga.Declined("a_1"));

        Assert.Equal(BookingStates.Released, State.CurrentState);
        var answer = Assert.Single(_saga.Answers.To("a_1"));
        Assert.Equal((409, "The hold was released; nothing is booked."), (answer.StatusCode, answer.Detail));
        Assert.False(answer.Body.TryGetProperty("refund", out _));
        Assert.Empty(_saga.Sent<RefundPayment>());
    }

    [Fact]
    public async Task Provider_failure_after_the_hold_expired_answers_410_with_nothing_to_refund()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        _saga.SetClockToExpiry(Grace);
        await _saga.DeliverAsync(_saga.HoldExpired());

        await _saga.DeliverAsync(_saga.Failed("a_1"));

        Assert.Equal(BookingStates.Expired, State.CurrentState);
        var answer = Assert.Single(_saga.Answers.To("a_1"));
        Assert.Equal((410, "The hold expired; its seats were released."), (answer.StatusCode, answer.Detail));
        Assert.Empty(_saga.Sent<RefundPayment>());
    }

    [Theory]
    [InlineData(false, 410, "Hold expired")]
    [InlineData(true, 409, "Hold released")]
    public async Task Confirmation_after_the_hold_ended_is_answered_by_how_it_ended_and_charges_nothing(bool released, int status, string title)
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        if (released)
        {
            await _saga.DeliverAsync(_saga.HoldReleased());
        }
        else
        {
            _saga.SetClockToExpiry(Grace);
            await _saga.DeliverAsync(_saga.HoldExpired());
        }

        await _saga.DeliverAsync(_saga.Confirm("a_2"));

        var answer = Assert.Single(_saga.Answers.To("a_2"));
        Assert.Equal((status, title), (answer.StatusCode, answer.Title));
        Assert.Single(_saga.Sent<ChargePayment>());
    }

    [Fact]
    public async Task Outcomes_of_an_earlier_attempt_while_another_is_paying_change_nothing()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.Failed("a_1"));
        await _saga.DeliverAsync(_saga.Confirm("a_2"));

        await _saga.DeliverAsync(_saga.Declined("a_1"));
        await _saga.DeliverAsync(_saga.Failed("a_1"));

        Assert.Equal((BookingStates.Paying, "a_2"), (State.CurrentState, State.AttemptId));
        Assert.Equal([503], _saga.Answers.To("a_1").Select(a => a.StatusCode));
        Assert.Empty(_saga.Answers.To("a_2"));
    }

    [Fact]
    public async Task Success_of_a_given_up_attempt_while_another_is_paying_is_refunded_and_the_other_goes_on()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.Failed("a_1"));
        await _saga.DeliverAsync(_saga.Confirm("a_2"));

        // The first provider call did take the money after all (its webhook), while the second attempt is paying.
        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));

        Assert.Equal((BookingStates.Paying, "a_2"), (State.CurrentState, State.AttemptId));
        var (refund, queue) = Assert.Single(_saga.Sent<RefundPayment>());
        Assert.Equal(BookingSagaHarness.PaymentsQueue, queue);
        Assert.Equal(("pi_1", "charge of an attempt given up on while another was being paid"), (refund.PaymentIntentId, refund.Reason));
        Assert.Empty(_saga.Sent<ConfirmSeats>());

        await _saga.DeliverAsync(_saga.Succeeded("a_2", "pi_2"));
        await _saga.DeliverAsync(_saga.SeatsConfirmed("pi_2"));

        Assert.Equal((BookingStates.Confirmed, "pi_2"), (State.CurrentState, State.PaymentIntentId));
        Assert.Single(_saga.Sent<RefundPayment>());
    }

    [Fact]
    public async Task Success_of_a_given_up_attempt_while_the_seats_are_being_confirmed_is_refunded()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.Failed("a_1"));
        await _saga.DeliverAsync(_saga.Confirm("a_2"));
        await _saga.DeliverAsync(_saga.Succeeded("a_2", "pi_2"));

        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));

        Assert.Equal((BookingStates.Confirming, "pi_2"), (State.CurrentState, State.PaymentIntentId));
        var (refund, _) = Assert.Single(_saga.Sent<RefundPayment>());
        Assert.Equal(("pi_1", "duplicate charge for a hold already paid"), (refund.PaymentIntentId, refund.Reason));
        Assert.Equal("pi_2", Assert.Single(_saga.Sent<ConfirmSeats>()).Message.PaymentIntentId);
    }

    [Fact]
    public async Task Late_success_of_a_given_up_attempt_books_the_hold_while_it_runs()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.Failed("a_1"));

        // The provider was unreachable, then its webhook says the money was taken.
        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));

        Assert.Equal((BookingStates.Confirming, "a_1", "pi_1"), (State.CurrentState, State.AttemptId, State.PaymentIntentId));
        Assert.Equal("pi_1", Assert.Single(_saga.Sent<ConfirmSeats>()).Message.PaymentIntentId);
        Assert.Empty(_saga.Sent<RefundPayment>());
    }

    [Fact]
    public async Task Late_success_of_a_given_up_attempt_after_the_hold_ran_out_is_refunded_and_answered_410()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.Failed("a_1"));
        // The attempt ended, and with it the grace: the hold's own expiry counts.
        _saga.SetClockToExpiry(TimeSpan.FromSeconds(1));

        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));

        Assert.Equal(BookingStates.Refunding, State.CurrentState);
        Assert.Empty(_saga.Sent<ConfirmSeats>());
        var (refund, _) = Assert.Single(_saga.Sent<RefundPayment>());
        Assert.Equal(("pi_1", "hold expired before payment completed"), (refund.PaymentIntentId, refund.Reason));
        // The request was answered 503 already (that answer stands); this one says the money goes back.
        Assert.Equal([503, 410], _saga.Answers.To("a_1").Select(a => a.StatusCode));
        Assert.Equal("pi_1", _saga.Answers.To("a_1")[^1].Body.GetProperty("refund").GetProperty("payment_intent_id").GetString());
    }

    [Fact]
    public async Task Confirmation_of_a_held_hold_past_its_expiry_answers_410_and_charges_nothing()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.Declined("a_1"));
        _saga.SetClockToExpiry(TimeSpan.FromSeconds(1));

        await _saga.DeliverAsync(_saga.Confirm("a_2"));

        Assert.Equal(BookingStates.Held, State.CurrentState);
        Assert.Equal(410, Assert.Single(_saga.Answers.To("a_2")).StatusCode);
        Assert.Single(_saga.Sent<ChargePayment>());
    }

    [Theory]
    [InlineData(BookingEndReasons.Expired, 410, "Hold expired")]
    [InlineData(BookingEndReasons.Released, 409, "Hold released")]
    [InlineData(BookingEndReasons.ConfirmDeadlinePassed, 503, "Booking failed")]
    public async Task Refused_confirmation_is_refunded_and_answered_by_its_reason(string reason, int status, string title)
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));

        await _saga.DeliverAsync(_saga.SeatsConfirmRefused("a_1", "pi_1", reason));

        Assert.Equal((BookingStates.Refunding, reason), (State.CurrentState, State.EndReason));
        var (refund, _) = Assert.Single(_saga.Sent<RefundPayment>());
        Assert.Equal(("pi_1", BookingSagaHarness.Amount, $"hold {reason.ToLowerInvariant()} before seats were confirmed"),
            (refund.PaymentIntentId, refund.Amount, refund.Reason));
        var answer = Assert.Single(_saga.Answers.To("a_1"));
        Assert.Equal((status, title), (answer.StatusCode, answer.Title));
        Assert.Equal("pi_1", answer.Body.GetProperty("refund").GetProperty("payment_intent_id").GetString());
    }

    [Fact]
    public async Task Confirmation_while_the_seats_are_being_confirmed_answers_409()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));

        await _saga.DeliverAsync(_saga.Confirm("a_2"));

        Assert.Equal(BookingStates.Confirming, State.CurrentState);
        var answer = Assert.Single(_saga.Answers.To("a_2"));
        Assert.Equal((409, "Payment in progress", "This hold has been paid and is being confirmed."), (answer.StatusCode, answer.Title, answer.Detail));
        Assert.Single(_saga.Sent<ChargePayment>());
    }

    [Fact]
    public async Task Confirmation_of_a_booked_hold_answers_409_not_active()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));
        await _saga.DeliverAsync(_saga.SeatsConfirmed("pi_1"));

        await _saga.DeliverAsync(_saga.Confirm("a_2"));

        var answer = Assert.Single(_saga.Answers.To("a_2"));
        Assert.Equal((409, "Hold not active", "This hold is already CONFIRMED."), (answer.StatusCode, answer.Title, answer.Detail));
        Assert.Equal(BookingStates.Confirmed, State.CurrentState);
    }

    [Fact]
    public async Task Confirmations_while_refunding_and_after_the_refund_answer_409_not_active()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.HoldReleased());
        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));

        await _saga.DeliverAsync(_saga.Confirm("a_2"));
        await _saga.DeliverAsync(_saga.Refunded("pi_1", "re_1"));
        await _saga.DeliverAsync(_saga.Confirm("a_3"));

        Assert.Equal("This hold is already REFUNDING.", Assert.Single(_saga.Answers.To("a_2")).Detail);
        Assert.Equal("This hold is already REFUNDED.", Assert.Single(_saga.Answers.To("a_3")).Detail);
        Assert.Single(_saga.Sent<ChargePayment>());
    }

    [Fact]
    public async Task Second_charge_for_a_booked_hold_is_refunded_and_announced_while_the_booking_stands()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));
        await _saga.DeliverAsync(_saga.SeatsConfirmed("pi_1"));

        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_2"));

        Assert.Equal((BookingStates.Confirmed, "pi_1"), (State.CurrentState, State.PaymentIntentId));
        var (refund, _) = Assert.Single(_saga.Sent<RefundPayment>());
        Assert.Equal(("pi_2", "duplicate charge for a hold already paid"), (refund.PaymentIntentId, refund.Reason));

        await _saga.DeliverAsync(_saga.Refunded("pi_2", "re_2"));

        Assert.Equal(BookingStates.Confirmed, State.CurrentState);
        var (refunded, _) = Assert.Single(_saga.Published<BookingRefunded>());
        Assert.Equal((State.BookingId, "pi_2", "re_2"), (refunded.BookingId, refunded.PaymentIntentId, refunded.RefundId));
    }

    [Fact]
    public async Task Duplicate_charge_after_a_refund_is_refunded_too()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.HoldReleased());
        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));
        await _saga.DeliverAsync(_saga.Refunded("pi_1", "re_1"));

        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_2"));
        await _saga.DeliverAsync(_saga.Refunded("pi_2", "re_2"));

        Assert.Equal(["pi_1", "pi_2"], _saga.Sent<RefundPayment>().Select(r => r.Message.PaymentIntentId));
        Assert.Equal(BookingStates.Refunded, State.CurrentState);
        // The booking never stood: neither refund names one.
        Assert.Equal([("pi_1", (string?)null), ("pi_2", null)], _saga.Published<BookingRefunded>().Select(r => (r.Message.PaymentIntentId, r.Message.BookingId)));
    }

    [Fact]
    public async Task While_refunding_the_refund_of_another_charge_is_announced_and_the_saga_waits_for_its_own()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.HoldReleased());
        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));
        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_2"));

        // The second charge's refund comes back first.
        await _saga.DeliverAsync(_saga.Refunded("pi_2", "re_2"));

        Assert.Equal((BookingStates.Refunding, (string?)null), (State.CurrentState, State.RefundId));

        await _saga.DeliverAsync(_saga.Refunded("pi_1", "re_1"));

        Assert.Equal((BookingStates.Refunded, "re_1"), (State.CurrentState, State.RefundId));
        Assert.Equal(["pi_1", "pi_2"], _saga.Sent<RefundPayment>().Select(r => r.Message.PaymentIntentId));
        Assert.Equal([("pi_2", "re_2"), ("pi_1", "re_1")], _saga.Published<BookingRefunded>().Select(r => (r.Message.PaymentIntentId, r.Message.RefundId)));
    }

    [Fact]
    public async Task Same_payment_success_delivered_again_confirms_the_seats_once_and_refunds_nothing()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        var success = _saga.Succeeded("a_1", "pi_1");
        var successId = await _saga.DeliverAsync(success);

        await _saga.DeliverAsync(success, successId);
        await _saga.DeliverAsync(_saga.SeatsConfirmed("pi_1"));
        await _saga.DeliverAsync(success, successId);

        Assert.Equal(BookingStates.Confirmed, State.CurrentState);
        Assert.Single(_saga.Sent<ConfirmSeats>());
        Assert.Empty(_saga.Sent<RefundPayment>());
        Assert.Empty(_saga.Answers.All);
    }

    [Fact]
    public async Task Refund_is_announced_once_under_an_id_derived_from_the_refund_message()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));
        await _saga.DeliverAsync(_saga.HoldReleased());
        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));
        var refunded = _saga.Refunded("pi_1", "re_1");

        var refundedId = await _saga.DeliverAsync(refunded);
        await _saga.DeliverAsync(refunded, refundedId);

        var (_, messageId) = Assert.Single(_saga.Published<BookingRefunded>());
        // Consumers' inboxes recognise a copy published again for the same PaymentRefunded (ADR 9).
        Assert.Equal(OutboxWriter.DerivedMessageId(refundedId, nameof(BookingRefunded)), messageId);
        Assert.Equal(BookingStates.Refunded, State.CurrentState);
    }

    [Fact]
    public async Task Redelivered_confirmation_of_the_attempt_being_paid_does_not_answer_its_own_request()
    {
        var confirm = _saga.Confirm("a_1");
        var confirmId = await _saga.DeliverAsync(confirm);

        // The broker hands it over again (say the ack was lost after the commit), while paying and while confirming.
        await _saga.DeliverAsync(confirm, confirmId);
        await _saga.DeliverAsync(_saga.Succeeded("a_1", "pi_1"));
        await _saga.DeliverAsync(confirm, confirmId);

        // Its answer is the outcome (the partition's 200), not a 409 about itself.
        Assert.Empty(_saga.Answers.To("a_1"));
        Assert.Single(_saga.Sent<ChargePayment>());
        Assert.Equal(BookingStates.Confirming, State.CurrentState);
    }

    [Fact]
    public async Task Expiry_or_release_of_a_hold_nobody_tried_to_pay_for_starts_no_saga()
    {
        await _saga.DeliverAsync(_saga.HoldExpired());
        await _saga.DeliverAsync(_saga.HoldReleased());

        Assert.False(_saga.SagaExists);
        Assert.Empty(_saga.Answers.All);
        Assert.Empty(_saga.Outbox.All);
    }

    [Fact]
    public async Task Messages_a_state_does_not_expect_change_nothing()
    {
        await _saga.DeliverAsync(_saga.Confirm("a_1"));

        await _saga.DeliverAsync(new SeatsConfirmed { HoldId = _saga.HoldId, ShowId = BookingSagaHarness.ShowId, BookingId = "b_other", PaymentIntentId = "pi_1" });
        await _saga.DeliverAsync(_saga.SeatsConfirmRefused("a_1", "pi_1", BookingEndReasons.Expired));
        await _saga.DeliverAsync(_saga.Refunded("pi_1", "re_1"));

        Assert.Equal((BookingStates.Paying, (string?)null, (string?)null), (State.CurrentState, State.BookingId, State.EndReason));
        Assert.Empty(_saga.Sent<RefundPayment>());
        Assert.Empty(_saga.Published<BookingRefunded>());
        Assert.Empty(_saga.Answers.All);
    }

    [Fact]
    public void States_of_the_machine_are_the_names_stored_and_read_as_BookingStates()
    {
        var machine = _saga.Saga.StateMachine;

        var names = machine.States.Select(s => s.Name).Except([machine.Initial.Name, machine.Final.Name]).Order();

        Assert.Equal(BookingStates.All.Order(), names);
    }
}
