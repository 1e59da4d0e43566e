using System.Net;
using System.Text.Json;
using BookMyShow.TestInfrastructure;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>Hold → pay → confirm in the embedded mode, with the simulated payment provider.</summary>
public sealed class EmbeddedBookingTests(EmbeddedFixture fixture) : IClassFixture<EmbeddedFixture>
{
    ApiClient Api => fixture.Deployment.Api;
    static readonly Dictionary<string, string> Wait = new() { ["Prefer"] = "wait=5" };

    async Task<(string Token, string HoldId)> HoldAsync(string user, params string[] seats)
    {
        var token = await Api.TokenAsync(user);
        var (status, hold, response) = await Api.HoldAsync(TestCatalog.HotShow, token, seats, Wait);
        response.Dispose();
        Assert.Equal(HttpStatusCode.Created, status);
        return (token, hold.GetProperty("hold_id").GetString()!);
    }

    Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> ConfirmAsync(string token, string holdId, string paymentToken, string? key) =>
        Api.SendAsync(HttpMethod.Post, "/v1/bookings/confirm", token, JsonSerializer.Serialize(new { hold_id = holdId, payment_token = paymentToken }),
            key is null ? null : new Dictionary<string, string> { ["Idempotency-Key"] = key });

    [Fact]
    public async Task Paid_hold_becomes_a_booking_and_its_seats_confirmed()
    {
        var (token, holdId) = await HoldAsync("u_pay", "G1", "G2");

        var (status, booking, response) = await ConfirmAsync(token, holdId, "pm_card_visa", "pay-1");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("CONFIRMED", booking.GetProperty("status").GetString());
        Assert.Equal(holdId, booking.GetProperty("hold_id").GetString());
        Assert.Equal(500m, booking.GetProperty("total_charged").GetDecimal());
        Assert.Equal(["G1", "G2"], booking.GetProperty("seats").EnumerateArray().Select(s => s.GetString()!).ToArray());
        var bookingId = booking.GetProperty("booking_id").GetString()!;

        var (_, read, r1) = await Api.GetAsync($"/v1/bookings/{bookingId}", token);
        var (_, hold, r2) = await Api.GetAsync($"/v1/holds/{holdId}", token);
        Assert.Equal(bookingId, read.GetProperty("booking_id").GetString());
        Assert.Equal("CONFIRMED", hold.GetProperty("status").GetString());
        Assert.Equal(bookingId, hold.GetProperty("booking_id").GetString());
        await Deadline.UntilAsync(async () =>
        {
            var (_, seats, r) = await Api.GetAsync($"/v1/shows/{TestCatalog.HotShow}/seats");
            r.Dispose();
            return seats.GetProperty("seats").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "CONFIRMED"
                && s.GetProperty("seat_id").GetString() is "G1" or "G2") == 2;
        }, TimeSpan.FromSeconds(5), "G1 and G2 to show CONFIRMED");

        var (other, _, r3) = await Api.GetAsync($"/v1/bookings/{bookingId}", await Api.TokenAsync("u_someone"));
        Assert.Equal(HttpStatusCode.NotFound, other);
        response.Dispose(); r1.Dispose(); r2.Dispose(); r3.Dispose();
    }

    [Fact]
    public async Task The_owner_is_pushed_held_and_confirmed_and_operators_see_the_booking_counted()
    {
        var token = await Api.TokenAsync("u_push");
        await using var push = await SseListener.ConnectAsync(Api, token);
        var (_, holdId) = await HoldAsync("u_push", "G11");
        var (status, booking, response) = await ConfirmAsync(token, holdId, "pm_card_visa", "push-1");
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);

        // The same seat asked for again: turned down, and told on the same stream.
        var (again, _, againResponse) = await Api.HoldAsync(TestCatalog.HotShow, token, ["G11", "G12"], Wait);
        againResponse.Dispose();
        Assert.Equal(HttpStatusCode.Conflict, again);

        var events = await push.WaitForAsync(e => e.Any(x => x.Type == "booking.confirmed") && e.Any(x => x.Type == "hold_request.rejected"), TimeSpan.FromSeconds(10));
        Assert.Equal(HeldThenConfirmed, events.Where(e => e.Type.StartsWith("booking.", StringComparison.Ordinal)).Select(e => e.Type));
        Assert.Equal(booking.GetProperty("booking_id").GetString(), events.Single(e => e.Type == "booking.confirmed").Data.GetProperty("booking_id").GetString());
        // The decisions on the user's hold requests come on the same stream.
        var held = events.Single(e => e.Type == "hold_request.held").Data;
        Assert.Equal(("HELD", holdId), (held.GetProperty("status").GetString(), held.GetProperty("hold_id").GetString()));
        Assert.StartsWith("r_", held.GetProperty("request_id").GetString(), StringComparison.Ordinal);
        var rejected = events.Single(e => e.Type == "hold_request.rejected").Data;
        Assert.Equal("REJECTED", rejected.GetProperty("status").GetString());
        Assert.Equal(["G11"], rejected.GetProperty("unavailable_seat_ids").EnumerateArray().Select(x => x.GetString()!));

        var operatorToken = await Api.TokenAsync("ops", roles: ["operator"]);
        await Deadline.UntilAsync(async () =>
        {
            var (_, stats, r) = await Api.GetAsync($"/v1/ops/shows/{TestCatalog.HotShow}/stats", operatorToken);
            r.Dispose();
            return stats.GetProperty("totals").GetProperty("bookings").GetInt32() >= 1 && stats.GetProperty("revenue").GetProperty("confirmed").GetDecimal() >= 250m;
        }, TimeSpan.FromSeconds(10), "the booking to be counted");
    }

    static readonly string[] HeldThenConfirmed = ["booking.held", "booking.confirmed"];

    [Fact]
    public async Task Declined_card_answers_402_keeps_the_hold_and_another_card_succeeds()
    {
        var (token, holdId) = await HoldAsync("u_decline", "G3");

        var (declined, problem, r1) = await ConfirmAsync(token, holdId, "pm_card_chargeDeclined", "card-1");
        Assert.Equal(HttpStatusCode.PaymentRequired, declined);
        Assert.Equal("application/problem+json", r1.Content.Headers.ContentType?.MediaType);
        Assert.Equal("card_declined", problem.GetProperty("decline_code").GetString());
        var (_, hold, r2) = await Api.GetAsync($"/v1/holds/{holdId}", token);
        Assert.Equal("ACTIVE", hold.GetProperty("status").GetString());

        var (paid, booking, r3) = await ConfirmAsync(token, holdId, "pm_card_visa", "card-2");
        Assert.Equal(HttpStatusCode.OK, paid);
        Assert.Equal("CONFIRMED", booking.GetProperty("status").GetString());

        // The first key still answers what it answered.
        var (again, _, r4) = await ConfirmAsync(token, holdId, "pm_card_chargeDeclined", "card-1");
        Assert.Equal(HttpStatusCode.PaymentRequired, again);
        r1.Dispose(); r2.Dispose(); r3.Dispose(); r4.Dispose();
    }

    [Fact]
    public async Task Same_key_sent_twice_at_once_confirms_once_with_one_answer()
    {
        var (token, holdId) = await HoldAsync("u_twice", "G5", "G6");

        var both = await Task.WhenAll(ConfirmAsync(token, holdId, "pm_card_visa", "twice"), ConfirmAsync(token, holdId, "pm_card_visa", "twice"));

        Assert.All(both, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(both[0].Body.GetProperty("booking_id").GetString(), both[1].Body.GetProperty("booking_id").GetString());
        var (other, _, r) = await ConfirmAsync(token, holdId, "pm_card_visa", "another-key");
        Assert.Equal(HttpStatusCode.Conflict, other);
        foreach (var x in both) x.Response.Dispose();
        r.Dispose();
    }

    [Fact]
    public async Task Confirm_rules_key_required_owner_only_unknown_hold_and_key_reuse()
    {
        var (token, holdId) = await HoldAsync("u_rules", "G7");
        var stranger = await Api.TokenAsync("u_rules_stranger");

        var (noKey, p1, r1) = await ConfirmAsync(token, holdId, "pm_card_visa", key: null);
        var (foreign, _, r2) = await ConfirmAsync(stranger, holdId, "pm_card_visa", "x-1");
        var (unknown, _, r3) = await ConfirmAsync(token, "h_00000000000000000000000000000000", "pm_card_visa", "x-2");
        var (badBody, _, r4) = await Api.SendAsync(HttpMethod.Post, "/v1/bookings/confirm", token, """{"hold_id": 5}""", new Dictionary<string, string> { ["Idempotency-Key"] = "x-3" });
        var (first, _, r5) = await ConfirmAsync(token, holdId, "pm_card_chargeDeclined", "x-4");
        var (reused, _, r6) = await ConfirmAsync(token, holdId, "pm_card_visa", "x-4");

        Assert.Equal(HttpStatusCode.BadRequest, noKey);
        Assert.Contains("Idempotency-Key", p1.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, foreign);
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal(HttpStatusCode.BadRequest, badBody);
        Assert.Equal(HttpStatusCode.PaymentRequired, first);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused);
        r1.Dispose(); r2.Dispose(); r3.Dispose(); r4.Dispose(); r5.Dispose(); r6.Dispose();
    }

    [Fact]
    public async Task Released_hold_cannot_be_confirmed()
    {
        var (token, holdId) = await HoldAsync("u_released", "G9");
        var (released, _, r1) = await Api.SendAsync(HttpMethod.Post, $"/v1/holds/{holdId}/release", token);
        Assert.Equal(HttpStatusCode.OK, released);

        var (status, problem, r2) = await ConfirmAsync(token, holdId, "pm_card_visa", "after-release");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("Hold released", problem.GetProperty("title").GetString());
        r1.Dispose(); r2.Dispose();
    }
}

/// <summary>Expiry on time in the embedded mode (in-memory scheduler): holds of a few seconds.</summary>
public sealed class EmbeddedExpiryTests
{
    [Fact]
    public async Task Unpaid_hold_expires_at_its_time_and_then_answers_410()
    {
        await using var deployment = await Deployment.StartEmbeddedAsync(new Dictionary<string, string?> { ["Holds__Ttl"] = "00:00:03" }, catalogFile: TestCatalog.FilePath);
        var api = deployment.Api;
        var token = await api.TokenAsync("u_expire");
        var (_, hold, r) = await api.HoldAsync(TestCatalog.HotShow, token, ["H1", "H2"], new Dictionary<string, string> { ["Prefer"] = "wait=5" });
        r.Dispose();
        var holdId = hold.GetProperty("hold_id").GetString()!;
        var expiresAt = hold.GetProperty("expires_at").GetDateTimeOffset();

        await Deadline.UntilAsync(async () =>
        {
            var (_, h, x) = await api.GetAsync($"/v1/holds/{holdId}", token);
            x.Dispose();
            return h.GetProperty("status").GetString() == "EXPIRED";
        }, TimeSpan.FromSeconds(20), "the hold to expire");
        Assert.True(DateTimeOffset.UtcNow >= expiresAt);

        var (status, problem, r2) = await api.SendAsync(HttpMethod.Post, "/v1/bookings/confirm", token,
            JsonSerializer.Serialize(new { hold_id = holdId, payment_token = "pm_card_visa" }), new Dictionary<string, string> { ["Idempotency-Key"] = "late" });
        Assert.Equal(HttpStatusCode.Gone, status);
        Assert.Equal("Hold expired", problem.GetProperty("title").GetString());
        r2.Dispose();
    }
}
