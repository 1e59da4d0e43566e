using System.Net;
using System.Text.Json;
using BookMyShow.TestInfrastructure;
using BookMyShow.TestInfrastructure.FakeStripe;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>
/// Paying for holds on the distributed system (RabbitMQ, PostgreSQL, separate worker process) with the real Stripe.net
/// client talking to a local Stripe-compatible server. Every test ends with the money check: each successful charge
/// has exactly one booking or one refund.
/// </summary>
public sealed class DistributedBookingTests
{
    static async Task<(Deployment Deployment, FakeStripeServer Stripe)> StartAsync(Dictionary<string, string?>? settings = null, TestServices? servers = null)
    {
        var stripe = await FakeStripeServer.StartAsync();
        var all = new Dictionary<string, string?>
        {
            ["Payments__Provider"] = "Stripe",
            ["Payments__Stripe__ApiKey"] = stripe.ApiKey,
            ["Payments__Stripe__ApiBase"] = stripe.ApiBase,
            ["Payments__Timeout"] = "00:00:30",
        };
        foreach (var (key, value) in settings ?? []) all[key] = value;
        return (await Deployment.StartDistributedAsync(workers: 1, all, servers, catalogFile: TestCatalog.FilePath), stripe);
    }

    static async Task<(string Token, string HoldId)> HoldAsync(ApiClient api, string user, params string[] seats)
    {
        var token = await api.TokenAsync(user);
        var (status, hold, response) = await api.HoldAsync(TestCatalog.HotShow, token, seats, new Dictionary<string, string> { ["Prefer"] = "wait=10" });
        response.Dispose();
        Assert.Equal(HttpStatusCode.Created, status);
        return (token, hold.GetProperty("hold_id").GetString()!);
    }

    static async Task<(HttpStatusCode Status, JsonElement Body)> ConfirmAsync(ApiClient api, string token, string holdId, string paymentToken, string key)
    {
        var (status, body, response) = await api.SendAsync(HttpMethod.Post, "/v1/bookings/confirm", token,
            JsonSerializer.Serialize(new { hold_id = holdId, payment_token = paymentToken }), new Dictionary<string, string> { ["Idempotency-Key"] = key });
        response.Dispose();
        return (status, body);
    }

    static async Task<string> PaymentStateAsync(ApiClient api, string token, string holdId) =>
        (await HoldStateAsync(api, token, holdId)).PaymentState;

    /// <summary>The hold's status and payment state; ("", "") while the gateway cannot answer (database down).</summary>
    static async Task<(string Status, string PaymentState)> HoldStateAsync(ApiClient api, string token, string holdId)
    {
        var (status, hold, response) = await api.GetAsync($"/v1/holds/{holdId}", token);
        response.Dispose();
        return status == HttpStatusCode.OK ? (hold.GetProperty("status").GetString()!, hold.GetProperty("payment_state").GetString()!) : ("", "");
    }

    /// <summary>Every successful charge ends in exactly one confirmed booking or one full refund.</summary>
    static Task AssertMoneyCheckAsync(FakeStripeServer stripe, string cs) =>
        Deadline.UntilAsync(async () =>
        {
            foreach (var charge in stripe.SucceededCharges)
            {
                var bookings = await Inspect.ScalarAsync(cs, "SELECT count(*) FROM bookings WHERE payment_intent_id = @pi", ("pi", charge.PaymentIntentId));
                var refunded = charge.AmountRefunded == charge.Amount ? 1 : 0;
                if (bookings + refunded != 1 || charge.AmountRefunded is not 0 && refunded == 0) return false;
            }
            return true;
        }, TimeSpan.FromSeconds(30), "every charge to end in one booking or one refund");

    [Fact]
    public async Task Declined_card_then_good_card_books_once_and_a_double_send_charges_once()
    {
        var (deployment, stripe) = await StartAsync();
        await using var _ = deployment;
        await using var __ = stripe;
        var (token, holdId) = await HoldAsync(deployment.Api, "u_stripe", "A1", "A2");

        var declined = await ConfirmAsync(deployment.Api, token, holdId, "pm_card_chargeDeclined", "k-declined");
        Assert.Equal(HttpStatusCode.PaymentRequired, declined.Status);

        var both = await Task.WhenAll(
            ConfirmAsync(deployment.Api, token, holdId, "pm_card_visa", "k-visa"),
            ConfirmAsync(deployment.Api, token, holdId, "pm_card_visa", "k-visa"));
        Assert.All(both, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(both[0].Body.GetProperty("booking_id").GetString(), both[1].Body.GetProperty("booking_id").GetString());

        var charge = Assert.Single(stripe.SucceededCharges);
        Assert.Equal(100000, charge.Amount); // 1000.00 INR in paise
        Assert.Equal("inr", charge.Currency);
        Assert.Equal(holdId, charge.Metadata["hold_id"]);
        await AssertMoneyCheckAsync(stripe, deployment.PostgresConnectionString!);
    }

    [Fact]
    public async Task Payment_that_succeeds_after_expiry_and_grace_is_refunded_and_answered_410()
    {
        var (deployment, stripe) = await StartAsync(new()
        {
            ["Holds__Ttl"] = "00:00:03",
            ["Bookings__PaymentGrace"] = "00:00:01",
        });
        await using var _ = deployment;
        await using var __ = stripe;
        var (token, holdId) = await HoldAsync(deployment.Api, "u_slow", "B1");
        await using var push = await SseListener.ConnectAsync(deployment.Api, token);
        stripe.HangNext(1, TimeSpan.FromSeconds(7));

        var (status, problem) = await ConfirmAsync(deployment.Api, token, holdId, "pm_card_visa", "k-slow");

        Assert.Equal(HttpStatusCode.Gone, status);
        Assert.Equal("Hold expired", problem.GetProperty("title").GetString());
        Assert.Equal("PENDING", problem.GetProperty("refund").GetProperty("status").GetString());
        var cs = deployment.PostgresConnectionString!;
        Assert.Equal(0, await Inspect.ScalarAsync(cs, "SELECT count(*) FROM bookings"));
        Assert.Equal(0, await Inspect.ScalarAsync(cs, "SELECT count(*) FROM show_seats WHERE status <> 'AVAILABLE'"));
        Assert.Single(stripe.SucceededCharges);
        await AssertMoneyCheckAsync(stripe, cs);
        await Deadline.UntilAsync(async () => await PaymentStateAsync(deployment.Api, token, holdId) == "REFUNDED", TimeSpan.FromSeconds(20), "the refund to be recorded");
        // The user hears both: the hold ran out, then the money came back. (booking.held may come before or after
        // the connection: the saga publishes it, after the hold's 201.)
        var events = await push.WaitForAsync(e => e.Any(x => x.Type == "booking.refunded"), TimeSpan.FromSeconds(20));
        Assert.Equal(ExpiredThenRefunded, events.Where(e => e.Type is "booking.expired" or "booking.refunded" or "booking.confirmed").Select(e => e.Type));
        var refunded = events.Single(e => e.Type == "booking.refunded").Data;
        Assert.Equal(stripe.Refunds.Single().RefundId, refunded.GetProperty("refund_id").GetString());
        Assert.Equal(holdId, refunded.GetProperty("hold_id").GetString());
    }

    static readonly string[] ExpiredThenRefunded = ["booking.expired", "booking.refunded"];

    [Fact]
    public async Task Release_while_paying_refunds_the_payment_and_answers_409()
    {
        var (deployment, stripe) = await StartAsync();
        await using var _ = deployment;
        await using var __ = stripe;
        var (token, holdId) = await HoldAsync(deployment.Api, "u_release_paying", "C1", "C2");
        stripe.HangNext(1, TimeSpan.FromSeconds(3));

        var confirm = ConfirmAsync(deployment.Api, token, holdId, "pm_card_visa", "k-release");
        await Deadline.UntilAsync(async () => await PaymentStateAsync(deployment.Api, token, holdId) == "PAYING", TimeSpan.FromSeconds(10), "the payment to start");
        var (released, _, r) = await deployment.Api.SendAsync(HttpMethod.Post, $"/v1/holds/{holdId}/release", token);
        r.Dispose();
        Assert.Equal(HttpStatusCode.OK, released);

        var (status, problem) = await confirm;
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("Hold released", problem.GetProperty("title").GetString());
        Assert.Equal(0, await Inspect.ScalarAsync(deployment.PostgresConnectionString!, "SELECT count(*) FROM bookings"));
        await AssertMoneyCheckAsync(stripe, deployment.PostgresConnectionString!);
    }

    [Fact]
    public async Task Worker_killed_while_charging_ends_after_restart_with_one_booking_and_one_charge()
    {
        var (deployment, stripe) = await StartAsync(new() { ["Bookings__ConfirmWait"] = "00:00:01" });
        await using var _ = deployment;
        await using var __ = stripe;
        var (token, holdId) = await HoldAsync(deployment.Api, "u_crash", "D1");
        stripe.HangNext(1, TimeSpan.FromSeconds(2));

        var (accepted, pending) = await ConfirmAsync(deployment.Api, token, holdId, "pm_card_visa", "k-crash");
        Assert.Equal(HttpStatusCode.Accepted, accepted);
        Assert.Equal($"/v1/holds/{holdId}", pending.GetProperty("status_url").GetString());
        await Deadline.UntilAsync(async () => await PaymentStateAsync(deployment.Api, token, holdId) == "PAYING", TimeSpan.FromSeconds(10), "the payment to start");
        deployment.Workers[0].Kill();
        await deployment.StartWorkerAsync();

        await Deadline.UntilAsync(async () =>
        {
            var (_, hold, r) = await deployment.Api.GetAsync($"/v1/holds/{holdId}", token);
            r.Dispose();
            return hold.GetProperty("status").GetString() == "CONFIRMED";
        }, TimeSpan.FromSeconds(60), "the booking after the restart");
        var (replayed, booking) = await ConfirmAsync(deployment.Api, token, holdId, "pm_card_visa", "k-crash");
        Assert.Equal(HttpStatusCode.OK, replayed);
        Assert.Equal("CONFIRMED", booking.GetProperty("status").GetString());
        var cs = deployment.PostgresConnectionString!;
        Assert.Equal(1, await Inspect.ScalarAsync(cs, "SELECT count(*) FROM bookings WHERE hold_id = @h", ("h", holdId)));
        Assert.Single(stripe.SucceededCharges);
        await AssertMoneyCheckAsync(stripe, cs);
    }

    [Fact]
    public async Task Database_down_after_the_charge_books_with_the_same_booking_id_when_it_returns_in_time()
    {
        await using var servers = await TestServices.StartAsync();
        var (deployment, stripe) = await StartAsync(new() { ["Bookings__ConfirmWait"] = "00:00:01" }, servers);
        await using var _ = deployment;
        await using var __ = stripe;
        var (token, holdId) = await HoldAsync(deployment.Api, "u_db_blip", "E1");
        stripe.HangNext(1, TimeSpan.FromSeconds(2));

        var (accepted, _) = await ConfirmAsync(deployment.Api, token, holdId, "pm_card_visa", "k-blip");
        Assert.Equal(HttpStatusCode.Accepted, accepted);
        await Deadline.UntilAsync(async () => await PaymentStateAsync(deployment.Api, token, holdId) == "PAYING", TimeSpan.FromSeconds(10), "the payment to start");
        await servers.StopPostgresAsync();
        await Deadline.UntilAsync(() => stripe.SucceededCharges.Count == 1, TimeSpan.FromSeconds(30), "the charge while the database is down");
        await servers.StartPostgresAsync();

        await Deadline.UntilAsync(async () => (await HoldStateAsync(deployment.Api, token, holdId)).Status == "CONFIRMED", TimeSpan.FromSeconds(90), "the booking once the database is back");
        var (status, booking) = await ConfirmAsync(deployment.Api, token, holdId, "pm_card_visa", "k-blip");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("b_" + holdId[2..], booking.GetProperty("booking_id").GetString());
        await AssertMoneyCheckAsync(stripe, deployment.PostgresConnectionString!);
    }

    [Fact]
    public async Task Database_down_past_the_confirm_deadline_refunds_the_charge_and_frees_the_seats()
    {
        await using var servers = await TestServices.StartAsync();
        var (deployment, stripe) = await StartAsync(new()
        {
            ["Bookings__ConfirmWait"] = "00:00:01",
            ["Bookings__ConfirmDeadline"] = "00:00:03",
        }, servers);
        await using var _ = deployment;
        await using var __ = stripe;
        var (token, holdId) = await HoldAsync(deployment.Api, "u_db_down", "E2");
        stripe.HangNext(1, TimeSpan.FromSeconds(2));

        var (accepted, _) = await ConfirmAsync(deployment.Api, token, holdId, "pm_card_visa", "k-down");
        Assert.Equal(HttpStatusCode.Accepted, accepted);
        await Deadline.UntilAsync(async () => await PaymentStateAsync(deployment.Api, token, holdId) == "PAYING", TimeSpan.FromSeconds(10), "the payment to start");
        await servers.StopPostgresAsync();
        await Deadline.UntilAsync(() => stripe.SucceededCharges.Count == 1, TimeSpan.FromSeconds(30), "the charge while the database is down");
        var charged = DateTimeOffset.UtcNow;
        await Deadline.UntilAsync(() => DateTimeOffset.UtcNow > charged.AddSeconds(4), TimeSpan.FromSeconds(10), "the confirm deadline to pass");
        await servers.StartPostgresAsync();

        await Deadline.UntilAsync(async () => await HoldStateAsync(deployment.Api, token, holdId) is ("RELEASED", "REFUNDED"), TimeSpan.FromSeconds(90), "the refund");
        var (status, problem) = await ConfirmAsync(deployment.Api, token, holdId, "pm_card_visa", "k-down");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Booking failed", problem.GetProperty("title").GetString());
        Assert.Equal(0, await Inspect.ScalarAsync(deployment.PostgresConnectionString!, "SELECT count(*) FROM bookings"));
        await AssertMoneyCheckAsync(stripe, deployment.PostgresConnectionString!);
    }
}
