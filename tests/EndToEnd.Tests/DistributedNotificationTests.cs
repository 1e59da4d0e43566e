using System.Net;
using System.Text.Json;
using BookMyShow.TestInfrastructure;
using BookMyShow.TestInfrastructure.Smtp;
using MimeKit;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>
/// Booking events leaving through the outbox on the distributed system (RabbitMQ, PostgreSQL, worker processes), and
/// what people receive: e-mail over SMTP (a local sink), pushes on <c>GET /v1/users/me/events</c> on any gateway, and
/// the operators' per-show totals.
/// </summary>
public sealed class DistributedNotificationTests
{
    static readonly TimeSpan EventWait = TimeSpan.FromSeconds(30);

    /// <summary>Development tokens carry roles only when allowed; these tests ask for an operator's.</summary>
    static Dictionary<string, string?> OperatorTokens() => new() { ["Auth__DevTokenRoles"] = "true" };

    static Dictionary<string, string?> MailSettings(SmtpSink sink, Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notifications__Mail__Host"] = sink.Host,
            ["Notifications__Mail__Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notifications__Mail__UseTls"] = "None",
            // The consumers' "already handled" lines are what the redelivery test waits for.
            ["Logging__LogLevel__BookMyShow"] = "Information",
        };
        foreach (var (key, value) in more ?? []) settings[key] = value;
        return settings;
    }

    static async Task<string> HoldAsync(ApiClient api, string token, params string[] seats)
    {
        var (status, hold, response) = await api.HoldAsync(TestCatalog.HotShow, token, seats, new Dictionary<string, string> { ["Prefer"] = "wait=10" });
        response.Dispose();
        Assert.Equal(HttpStatusCode.Created, status);
        return hold.GetProperty("hold_id").GetString()!;
    }

    static async Task<(HttpStatusCode Status, JsonElement Body)> ConfirmAsync(ApiClient api, string token, string holdId, string key)
    {
        var (status, body, response) = await api.SendAsync(HttpMethod.Post, "/v1/bookings/confirm", token,
            JsonSerializer.Serialize(new { hold_id = holdId, payment_token = "pm_card_visa" }), new Dictionary<string, string> { ["Idempotency-Key"] = key });
        response.Dispose();
        return (status, body);
    }

    static async Task<JsonElement> StatsAsync(ApiClient api, string operatorToken)
    {
        var (status, stats, response) = await api.GetAsync($"/v1/ops/shows/{TestCatalog.HotShow}/stats", operatorToken);
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        return stats;
    }

    static async Task<JsonElement> StatsWhenAsync(ApiClient api, string operatorToken, Func<JsonElement, bool> condition, TimeSpan timeout, string what)
    {
        JsonElement last = default;
        await Deadline.UntilAsync(async () => condition(last = await StatsAsync(api, operatorToken)), timeout, what);
        return last;
    }

    static string Text(MimeMessage message) => message.TextBody ?? "";

    [Fact]
    public async Task A_booking_is_mailed_pushed_and_counted_once_however_often_its_events_are_redelivered()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var deployment = await Deployment.StartDistributedAsync(workers: 1, MailSettings(sink, OperatorTokens()), catalogFile: TestCatalog.FilePath);
        var api = deployment.Api;
        var token = await api.TokenAsync("u_mail", email: "asha@example.com");
        var operatorToken = await api.TokenAsync("ops", roles: ["operator"]);
        await using var push = await SseListener.ConnectAsync(api, token);

        var holdId = await HoldAsync(api, token, BookedSeats);
        await push.WaitForAsync(e => e.Any(x => x.Type == "booking.held" && x.Data.GetProperty("hold_id").GetString() == holdId), EventWait);
        var (status, booking) = await ConfirmAsync(api, token, holdId, "k-mail");
        Assert.Equal(HttpStatusCode.OK, status);
        var bookingId = booking.GetProperty("booking_id").GetString()!;
        var amount = booking.GetProperty("total_charged").GetDecimal();

        var confirmed = (await push.WaitForAsync(e => e.Any(x => x.Type == "booking.confirmed"), EventWait)).Single(x => x.Type == "booking.confirmed");
        Assert.Equal(bookingId, confirmed.Data.GetProperty("booking_id").GetString());
        Assert.Equal(BookedSeats, confirmed.Data.GetProperty("seat_ids").EnumerateArray().Select(s => s.GetString()));
        var mail = (await sink.WaitForAsync(m => m.Count >= 1, EventWait)).Single();
        Assert.Equal("asha@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Contains("Booking confirmed", mail.Subject, StringComparison.Ordinal);
        foreach (var expected in new[] { "Opening Night", "Test Cinema", "A1", "A2", bookingId, "INR" })
        {
            Assert.Contains(expected, Text(mail), StringComparison.Ordinal);
        }
        var stats = await StatsWhenAsync(api, operatorToken, s => s.GetProperty("totals").GetProperty("bookings").GetInt32() == 1, EventWait, "the booking to be counted");
        Assert.Equal(2, stats.GetProperty("totals").GetProperty("held_seats").GetInt32());
        Assert.Equal(2, stats.GetProperty("totals").GetProperty("confirmed_seats").GetInt32());
        Assert.Equal(amount, stats.GetProperty("revenue").GetProperty("confirmed").GetDecimal());

        // The broker hands the same BookingConfirmed (same message id) over three more times. One at a time, each once
        // the consumers have dealt with the one before: copies that meet in one analytics batch are folded into one
        // entry by MassTransit's batching (no second effect either, but nothing to observe).
        var eventId = Guid.Parse(confirmed.Id!);
        var worker = deployment.Workers[0];
        int Mail() => Count(worker, $"{eventId:D} already handled by notifications-email");
        int Stats() => Count(worker, $"{eventId:D} already handled by analytics");
        int Pushes() => Count(deployment.Gateway, $"{eventId:D} already pushed");
        for (var copy = 1; copy <= 3; copy++)
        {
            await EventPublisher.PublishAsync(deployment.RabbitMqUri!, "BookMyShow.Contracts.Bookings:BookingConfirmed", eventId, new
            {
                bookingId, holdId, showId = TestCatalog.HotShow, userId = "u_mail", seatIds = BookedSeats, amount, currency = "INR",
                paymentIntentId = "pi_redelivered", confirmedAt = DateTimeOffset.UtcNow,
            });
            try
            {
                await Deadline.UntilAsync(() => Mail() == copy && Stats() == copy && Pushes() == copy, EventWait, $"copy {copy} to reach the e-mail, analytics and push consumers");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message} Copies seen: e-mail {Mail()}, analytics {Stats()}, push {Pushes()}.\n{deployment.Logs()}", e);
            }
        }

        Assert.Single(sink.Messages);
        Assert.Single(push.BookingEvents, e => e.Type == "booking.confirmed");
        var after = await StatsAsync(api, operatorToken);
        Assert.Equal(stats.GetProperty("totals").GetRawText(), after.GetProperty("totals").GetRawText());
        Assert.Equal(amount, after.GetProperty("revenue").GetProperty("confirmed").GetDecimal());
    }

    static readonly string[] BookedSeats = ["A1", "A2"];
    static readonly string[] HeldThenReleased = ["booking.held", "booking.released"];

    static int Count(ChildProcess process, string text) => process.GetOutputLines().Count(l => l.Contains(text, StringComparison.Ordinal));

    [Fact]
    public async Task Two_gateways_push_a_users_events_to_their_connections_on_either_and_to_nobody_else()
    {
        await using var deployment = await Deployment.StartDistributedAsync(workers: 1, catalogFile: TestCatalog.FilePath);
        var second = await deployment.StartExtraGatewayAsync();
        var token = await deployment.Api.TokenAsync("u_two");
        var otherToken = await second.TokenAsync("u_other");
        await using var onFirst = await SseListener.ConnectAsync(deployment.Api, token);
        await using var onSecond = await SseListener.ConnectAsync(second, token);
        await using var otherUser = await SseListener.ConnectAsync(second, otherToken);

        var holdId = await HoldAsync(deployment.Api, token, "B1");
        var (released, _, response) = await second.SendAsync(HttpMethod.Post, $"/v1/holds/{holdId}/release", token);
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, released);

        foreach (var listener in new[] { onFirst, onSecond })
        {
            var events = await listener.WaitForAsync(e => e.Any(x => x.Type == "booking.released"), EventWait);
            Assert.Equal(HeldThenReleased, events.Where(e => e.Type.StartsWith("booking.", StringComparison.Ordinal)).Select(e => e.Type));
            Assert.All(events.Where(e => e.Type.StartsWith("booking.", StringComparison.Ordinal)), e => Assert.Equal(holdId, e.Data.GetProperty("hold_id").GetString()));
        }
        Assert.Equal(onFirst.BookingEvents.Select(e => e.Id), onSecond.BookingEvents.Select(e => e.Id));
        Assert.Empty(otherUser.BookingEvents);

        var (unauthenticated, problem, noToken) = await second.GetAsync("/v1/users/me/events");
        noToken.Dispose();
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated);
    }

    [Fact]
    public async Task Stopping_RabbitMQ_while_bookings_are_confirmed_loses_no_event_and_doubles_none()
    {
        await using var servers = await TestServices.StartAsync();
        await using var sink = await SmtpSink.StartAsync();
        await using var deployment = await Deployment.StartDistributedAsync(workers: 1, MailSettings(sink, new() { ["Bookings__ConfirmWait"] = "00:00:02", ["Auth__DevTokenRoles"] = "true" }), servers, catalogFile: TestCatalog.FilePath);
        var api = deployment.Api;
        var operatorToken = await api.TokenAsync("ops", roles: ["operator"]);
        const int Users = 12;
        var holds = new List<(string User, string Token, string HoldId)>();
        for (var i = 0; i < Users; i++)
        {
            var user = $"u_outage_{i}";
            var token = await api.TokenAsync(user, email: $"{user}@example.com");
            holds.Add((user, token, await HoldAsync(api, token, $"C{i + 1}")));
        }

        // Clients pay as a client would: a 503 (broker unreachable) is retried with the same key, a 202 (still working)
        // is followed up with the same key too. The first two are booked before the broker stops (their events may
        // still be in the outbox); the other ten start paying while it is down and finish after it is back.
        var attempts = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        Task Pay((string User, string Token, string HoldId) h) => Task.Run(() => Deadline.UntilAsync(async () =>
        {
            attempts.AddOrUpdate(h.User, 1, (_, n) => n + 1);
            try
            {
                var (status, _) = await ConfirmAsync(api, h.Token, h.HoldId, "k-" + h.User);
                return status == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(180), $"the booking of {h.User}"));
        await Task.WhenAll(holds.Take(2).Select(Pay));
        await servers.StopRabbitMqAsync();
        var confirms = holds.Skip(2).Select(Pay).ToList();
        await Deadline.UntilAsync(() => Task.FromResult(holds.Skip(2).All(h => attempts.ContainsKey(h.User))),
            TimeSpan.FromSeconds(60), "every other user to ask to pay while the broker is down");
        var bookedWhileDown = await Inspect.ScalarAsync(deployment.PostgresConnectionString!, "SELECT count(*) FROM bookings");
        await servers.StartRabbitMqAsync();
        await Task.WhenAll(confirms);

        Assert.True(bookedWhileDown < Users, $"the broker went down after all {Users} bookings; the test proves nothing");
        var bookings = await Inspect.ScalarAsync(deployment.PostgresConnectionString!, "SELECT count(*) FROM bookings");
        Assert.Equal(Users, bookings);
        IReadOnlyList<MimeMessage> mails;
        try
        {
            mails = await sink.WaitForAsync(m => m.Count(x => (x.Subject ?? "").Contains("Booking confirmed", StringComparison.Ordinal)) >= Users, TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException e)
        {
            var unsent = await Inspect.ScalarAsync(deployment.PostgresConnectionString!, "SELECT count(*) FROM outbox_messages");
            throw new TimeoutException($"{e.Message}\nOutbox rows left: {unsent}.\n{deployment.Logs()}", e);
        }
        var stats = await StatsWhenAsync(api, operatorToken, s => s.GetProperty("totals").GetProperty("bookings").GetInt32() >= Users,
            TimeSpan.FromSeconds(120), "every booking to be counted");

        // Every user got exactly one confirmation, and every booking was counted exactly once.
        var confirmations = mails.Where(x => (x.Subject ?? "").Contains("Booking confirmed", StringComparison.Ordinal)).ToList();
        Assert.Equal(holds.Select(h => $"{h.User}@example.com").Order(), confirmations.Select(m => m.To.Mailboxes.Single().Address).Order());
        Assert.Equal(Users, stats.GetProperty("totals").GetProperty("bookings").GetInt32());
        Assert.Equal(Users, stats.GetProperty("totals").GetProperty("confirmed_seats").GetInt32());
        Assert.Equal(Users, stats.GetProperty("totals").GetProperty("holds").GetInt32());
        // The last rows (the saga's cancelled schedules after each booking) are written after the confirmations went
        // out; the outbox drains once the dispatcher has sent them.
        await Deadline.UntilAsync(async () => await Inspect.ScalarAsync(deployment.PostgresConnectionString!, "SELECT count(*) FROM outbox_messages") == 0,
            TimeSpan.FromSeconds(30), "the outbox to drain");
    }

    [Fact]
    public async Task A_failing_mail_server_delays_mail_to_the_error_queue_without_failing_the_booking_and_a_replay_delivers_it()
    {
        await using var sink = await SmtpSink.StartAsync();
        sink.FailWith(SmtpFailure.TransientReject);
        await using var deployment = await Deployment.StartDistributedAsync(workers: 1, MailSettings(sink, new()
        {
            ["Notifications__EmailRetryLimit"] = "2",
            ["Notifications__EmailRetryMinInterval"] = "00:00:00.100",
            ["Notifications__EmailRetryMaxInterval"] = "00:00:00.200",
        }), catalogFile: TestCatalog.FilePath);
        var api = deployment.Api;
        var token = await api.TokenAsync("u_mail_down", email: "ravi@example.com");
        var holdId = await HoldAsync(api, token, "D1");

        var (status, booking) = await ConfirmAsync(api, token, holdId, "k-mail-down");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("CONFIRMED", booking.GetProperty("status").GetString());

        // One attempt and two retries, all refused; then the message waits in the error queue.
        await Deadline.UntilAsync(async () =>
        {
            var (exit, output) = await deployment.RunWorkerCommandAsync("--error-queues", "notifications-email");
            return exit == 0 && output.Contains("notifications-email_error: 1", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), "the e-mail to reach the error queue");
        Assert.Equal(3, sink.RejectedCount);
        Assert.Empty(sink.Messages);

        sink.FailWith(SmtpFailure.None);
        var (replayExit, replayOutput) = await deployment.RunWorkerCommandAsync("--replay-errors", "notifications-email");
        Assert.True(replayExit == 0, replayOutput);
        Assert.Contains("replayed 1 message", replayOutput, StringComparison.Ordinal);
        var mail = (await sink.WaitForAsync(m => m.Count >= 1, EventWait)).Single();
        Assert.Equal("ravi@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Contains(booking.GetProperty("booking_id").GetString()!, Text(mail), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unpaid_hold_is_warned_before_it_runs_out_then_told_it_expired_by_mail_and_push()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var deployment = await Deployment.StartDistributedAsync(workers: 1, MailSettings(sink, new()
        {
            ["Holds__Ttl"] = "00:00:08",
            ["Bookings__ExpiringWarningBefore"] = "00:00:05",
        }), catalogFile: TestCatalog.FilePath);
        var api = deployment.Api;
        var token = await api.TokenAsync("u_forgetful", email: "mina@example.com");
        await using var push = await SseListener.ConnectAsync(api, token);
        var (_, hold, response) = await api.HoldAsync(TestCatalog.HotShow, token, ["E5"], new Dictionary<string, string> { ["Prefer"] = "wait=10" });
        response.Dispose();
        var holdId = hold.GetProperty("hold_id").GetString()!;
        var expiresAt = hold.GetProperty("expires_at").GetDateTimeOffset();

        var warned = await push.WaitForAsync(e => e.Any(x => x.Type == "hold.expiring"), EventWait);
        Assert.True(DateTimeOffset.UtcNow < expiresAt, "the warning came after the hold had already run out");
        var warning = warned.Single(x => x.Type == "hold.expiring");
        Assert.Equal(holdId, warning.Data.GetProperty("hold_id").GetString());
        Assert.Equal(expiresAt, warning.Data.GetProperty("expires_at").GetDateTimeOffset());
        var events = await push.WaitForAsync(e => e.Any(x => x.Type == "booking.expired"), EventWait);
        Assert.Equal(ExpiringThenExpired, events.Where(e => e.Type is not ("ready" or "heartbeat") && !e.Type.StartsWith("hold_request.", StringComparison.Ordinal)).Select(e => e.Type));

        var mails = await sink.WaitForAsync(m => m.Count >= 2, EventWait);
        Assert.All(mails, m => Assert.Equal("mina@example.com", m.To.Mailboxes.Single().Address));
        Assert.StartsWith("Complete your booking", mails[0].Subject, StringComparison.Ordinal);
        Assert.StartsWith("Hold expired", mails[1].Subject, StringComparison.Ordinal);
        Assert.Contains("E5", Text(mails[0]), StringComparison.Ordinal);
    }

    static readonly string[] ExpiringThenExpired = ["booking.held", "hold.expiring", "booking.expired"];

    [Fact]
    public async Task Show_stats_are_for_operators_only()
    {
        await using var deployment = await Deployment.StartDistributedAsync(workers: 1, OperatorTokens(), catalogFile: TestCatalog.FilePath);
        var api = deployment.Api;
        var user = await api.TokenAsync("u_curious");
        var operatorToken = await api.TokenAsync("ops", roles: ["operator"]);

        var (forbidden, problem, r1) = await api.GetAsync($"/v1/ops/shows/{TestCatalog.HotShow}/stats", user);
        r1.Dispose();
        Assert.Equal(HttpStatusCode.Forbidden, forbidden);
        Assert.Equal(403, problem.GetProperty("status").GetInt32());
        var (anonymous, _, r2) = await api.GetAsync($"/v1/ops/shows/{TestCatalog.HotShow}/stats");
        r2.Dispose();
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous);
        var (missing, _, r3) = await api.GetAsync("/v1/ops/shows/s_nope/stats", operatorToken);
        r3.Dispose();
        Assert.Equal(HttpStatusCode.NotFound, missing);
        var (ok, stats, r4) = await api.GetAsync($"/v1/ops/shows/{TestCatalog.HotShow}/stats", operatorToken);
        r4.Dispose();
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal(TestCatalog.HotShowSeats, stats.GetProperty("seats_now").GetProperty("available").GetInt32());
        Assert.Equal(0, stats.GetProperty("totals").GetProperty("bookings").GetInt32());
    }
}
