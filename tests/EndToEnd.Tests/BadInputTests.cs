using System.Net;
using System.Text.Json;
using BookMyShow.TestInfrastructure;
using Microsoft.Data.Sqlite;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>
/// An embedded gateway with a known signing key (so tests can sign tokens the dev-token endpoint never issues) and a
/// Stripe webhook secret, and one user who holds seats: the state every bad input must leave as it was.
/// </summary>
public sealed class BadInputFixture : IAsyncLifetime
{
    public Deployment Deployment { get; private set; } = null!;
    public BadInputContext Context { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Deployment = await Deployment.StartEmbeddedAsync(new Dictionary<string, string?>
        {
            ["Auth__SigningKey"] = TestTokens.SigningKey,
            ["Payments__Stripe__WebhookSecret"] = "whsec_bad_input_tests",
            ["Holds__Ttl"] = "01:00:00", // the owner's hold must outlive every case
        }, catalogFile: TestCatalog.FilePath);
        var api = Deployment.Api;
        var owner = TestTokens.For("u_owner");
        const string key = "owner-key";
        var headers = new Dictionary<string, string> { ["Prefer"] = "wait=10", ["Idempotency-Key"] = key };
        var (status, hold, r1) = await api.HoldAsync(TestCatalog.HotShow, owner, ["J19"], headers);
        r1.Dispose();
        if (status != HttpStatusCode.Created) throw new InvalidOperationException($"The owner's hold answered {status}: {hold}");
        // The same key again answers with the request itself, which carries its id.
        var (_, request, r2) = await api.HoldAsync(TestCatalog.HotShow, owner, ["J19"], headers);
        r2.Dispose();
        Context = new BadInputContext(owner, TestTokens.For("u_stranger"), TestTokens.For("ops", "operator"),
            hold.GetProperty("hold_id").GetString()!, request.GetProperty("request_id").GetString()!, key);
    }

    public async Task DisposeAsync() => await Deployment.DisposeAsync();

    /// <summary>Everything a request could have changed, as counts: requests, holds, seats, confirmations, bookings, sagas, contacts.</summary>
    public async Task<string> StateAsync()
    {
        await using var connection = new SqliteConnection(Deployment.SqliteConnectionString + ";Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT count(*) FROM hold_requests) || ' requests, ' ||
                   (SELECT count(*) FROM hold_requests WHERE status = 'QUEUED') || ' queued, ' ||
                   (SELECT count(*) FROM holds) || ' holds, ' ||
                   (SELECT count(*) FROM holds WHERE status = 'ACTIVE') || ' active, ' ||
                   (SELECT count(*) FROM show_seats WHERE status <> 'AVAILABLE') || ' seats taken, ' ||
                   (SELECT count(*) FROM confirm_requests) || ' confirmations, ' ||
                   (SELECT count(*) FROM bookings) || ' bookings, ' ||
                   (SELECT count(*) FROM booking_states) || ' sagas, ' ||
                   (SELECT count(*) FROM user_contacts) || ' contacts'
            """;
        return (string)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// Issue 19.1: every bad input gets a 4xx problem+json and changes nothing — malformed and mis-encoded JSON, wrong
/// types, huge, chunked, stalled and trickling bodies, odd ids, out-of-range dates, bad headers, Prefer and
/// Idempotency-Key edge cases, and tokens without a subject, expired or wrongly signed, on every endpoint; over real
/// HTTP against the embedded gateway. Requests Kestrel refuses before the application say so (no problem+json then).
/// </summary>
public sealed class BadInputTests(BadInputFixture fixture) : IClassFixture<BadInputFixture>
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static IEnumerable<object[]> Cases => BadInputs.All().Select(c => new object[] { c });

    [Fact]
    public void The_catalogue_has_at_least_150_cases_across_every_endpoint()
    {
        var cases = BadInputs.All().ToList();

        Assert.True(cases.Count >= 150, $"only {cases.Count} cases");
        Assert.Equal(cases.Count, cases.Select(c => c.Name).Distinct().Count());
        var context = new BadInputContext("t", "t", "t", "h_1", "r_1", "k");
        var targets = cases.Select(c => c.Request(context)).Where(r => r.Mode != BodyMode.Raw).Select(r => r.Target.Split('?')[0]).ToList();
        foreach (var endpoint in new[]
                 {
                     "/v1/auth/dev-token", "/v1/movies", "/v1/movies/m_test/shows", "/v1/venues/v_nope/screens", "/v1/shows/s_nope", "/v1/shows/s_nope/seats",
                     $"/v1/shows/{TestCatalog.HotShow}/hold", "/v1/hold-requests/r_1", "/v1/hold-requests/r_1/events", "/v1/holds/h_1", "/v1/holds/h_1/release",
                     "/v1/bookings/confirm", "/v1/bookings/b_nope", "/v1/users/me/events", $"/v1/ops/shows/{TestCatalog.HotShow}/stats", "/v1/webhooks/stripe",
                 })
        {
            Assert.Contains(endpoint, targets);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_a_4xx_problem_and_changes_nothing(BadInput input)
    {
        var before = await fixture.StateAsync();

        var response = await RawHttp.SendAsync(fixture.Deployment.Api.Http.BaseAddress!, input.Request(fixture.Context), Patience);

        Assert.True(response.Status == input.Status, $"{input}: answered {response.Status} {response.ContentType} {response.Body}");
        if (input.ByKestrel is null)
        {
            Assert.True(response.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) == true,
                $"{input}: answered {response.ContentType} {response.Body}");
            var problem = response.Json()!.Value;
            Assert.Equal(input.Status, problem.GetProperty("status").GetInt32());
            if (input.DetailPart is not null)
            {
                Assert.True(problem.TryGetProperty("detail", out var detail) && detail.GetString()!.Contains(input.DetailPart, StringComparison.Ordinal),
                    $"{input}: detail should contain '{input.DetailPart}': {response.Body}");
            }
        }
        Assert.Equal(before, await fixture.StateAsync());
    }

    [Fact]
    public async Task A_payment_token_stripe_never_issued_is_declined_and_nothing_is_charged()
    {
        var api = fixture.Deployment.Api;
        var token = TestTokens.For("u_forger");
        var (held, hold, r1) = await api.HoldAsync(TestCatalog.HotShow, token, ["J18"], new Dictionary<string, string> { ["Prefer"] = "wait=10" });
        r1.Dispose();
        Assert.Equal(HttpStatusCode.Created, held);
        var holdId = hold.GetProperty("hold_id").GetString()!;

        var (status, problem, r2) = await api.SendAsync(HttpMethod.Post, "/v1/bookings/confirm", token,
            JsonSerializer.Serialize(new { hold_id = holdId, payment_token = "pm_card_visa' OR 1=1--" }), new Dictionary<string, string> { ["Idempotency-Key"] = "forged-1" });
        var (_, after, r3) = await api.GetAsync($"/v1/holds/{holdId}", token);

        Assert.Equal(HttpStatusCode.PaymentRequired, status);
        Assert.Equal("application/problem+json", r2.Content.Headers.ContentType?.MediaType);
        Assert.Equal("resource_missing", problem.GetProperty("decline_code").GetString());
        Assert.Equal("ACTIVE", after.GetProperty("status").GetString());
        Assert.Equal("DECLINED", after.GetProperty("payment_state").GetString());
        r2.Dispose(); r3.Dispose();
    }
}
