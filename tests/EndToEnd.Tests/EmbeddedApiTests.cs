using System.Net;
using System.Text.Json;
using BookMyShow.TestInfrastructure;

namespace BookMyShow.EndToEnd.Tests;

public sealed class EmbeddedFixture : IAsyncLifetime
{
    public Deployment Deployment { get; private set; } = null!;

    // EmbeddedBookingTests asks for an operator's token; development tokens carry roles only when allowed.
    public async Task InitializeAsync() =>
        Deployment = await Deployment.StartEmbeddedAsync(new Dictionary<string, string?> { ["Auth__DevTokenRoles"] = "true" }, catalogFile: TestCatalog.FilePath);

    public async Task DisposeAsync() => await Deployment.DisposeAsync();
}

/// <summary>The HTTP API of the embedded mode, as a user calls it.</summary>
public sealed class EmbeddedApiTests(EmbeddedFixture fixture) : IClassFixture<EmbeddedFixture>
{
    ApiClient Api => fixture.Deployment.Api;
    static readonly Dictionary<string, string> WaitFiveSeconds = new() { ["Prefer"] = "wait=5" };

    async Task<List<string>> SeatsWithStatusAsync(string status)
    {
        var (_, body, response) = await Api.GetAsync($"/v1/shows/{TestCatalog.HotShow}/seats");
        response.Dispose();
        return body.GetProperty("seats").EnumerateArray().Where(s => s.GetProperty("status").GetString() == status)
            .Select(s => s.GetProperty("seat_id").GetString()!).ToList();
    }

    [Fact]
    public async Task One_user_gets_no_more_seats_of_a_show_than_its_cap_however_they_ask()
    {
        var token = await Api.TokenAsync("u_capped");
        var (first, _, r1) = await Api.HoldAsync(TestCatalog.CappedShow, token, ["A1", "A2", "A3"], WaitFiveSeconds);
        var (second, problem, r2) = await Api.HoldAsync(TestCatalog.CappedShow, token, ["A4", "A5"], WaitFiveSeconds);
        var (third, _, r3) = await Api.HoldAsync(TestCatalog.CappedShow, token, ["A4"], WaitFiveSeconds);
        r1.Dispose(); r2.Dispose(); r3.Dispose();

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Conflict, HttpStatusCode.Created), (first, second, third));
        Assert.Equal(("Seat limit reached", "SEAT_LIMIT_REACHED"), (problem.GetProperty("title").GetString(), problem.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task Best_available_holds_adjacent_seats_of_the_section_asked_and_says_why_when_none_fit()
    {
        var token = await Api.TokenAsync("u_best");
        var (granted, hold, r1) = await Api.SendAsync(HttpMethod.Post, $"/v1/shows/{TestCatalog.CappedShow}/hold", token,
            """{"best_available":{"count":2,"section":"premium"}}""", WaitFiveSeconds);
        var (refused, problem, r2) = await Api.SendAsync(HttpMethod.Post, $"/v1/shows/{TestCatalog.CappedShow}/hold", token,
            """{"best_available":{"count":2,"max_price":100}}""", WaitFiveSeconds);
        var (invalid, _, r3) = await Api.SendAsync(HttpMethod.Post, $"/v1/shows/{TestCatalog.CappedShow}/hold", token,
            """{"best_available":{"count":2,"section":"balcony"}}""");
        r1.Dispose(); r2.Dispose(); r3.Dispose();

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Conflict, HttpStatusCode.BadRequest), (granted, refused, invalid));
        var seats = hold.GetProperty("seat_ids").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.Equal(2, seats.Count);
        Assert.Single(seats.Select(s => s[0]).Distinct());
        Assert.Contains(seats[0][0], "ABC");
        Assert.Equal(1, Math.Abs(int.Parse(seats[0][1..], System.Globalization.CultureInfo.InvariantCulture) - int.Parse(seats[1][1..], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("NOT_ENOUGH_SEATS", problem.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Seat_map_carries_an_etag_and_an_unchanged_map_answers_304()
    {
        var (status, _, first) = await Api.GetAsync($"/v1/shows/{TestCatalog.HotShow}/seats");
        var etag = first.Headers.ETag?.Tag;
        first.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(etag);

        var (again, _, second) = await Api.SendAsync(HttpMethod.Get, $"/v1/shows/{TestCatalog.HotShow}/seats", null, headers: new Dictionary<string, string> { ["If-None-Match"] = etag });
        second.Dispose();
        var (unknown, problem, third) = await Api.GetAsync("/v1/shows/s_nowhere/seats");
        third.Dispose();

        Assert.True(again is HttpStatusCode.NotModified or HttpStatusCode.OK, $"answered {again}");
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("""{"seat_ids":[]}""", 400, "at least one")]
    [InlineData("""{"seat_ids":["A1","A2","A3","A4","A5","A6","A7","A8","A9","A10","A11"]}""", 400, "At most 10")]
    [InlineData("""{"seat_ids":["J20","J20"]}""", 400, "Duplicate")]
    [InlineData("""{"seat_ids":["J20","Z99"]}""", 400, "Unknown seat")]
    [InlineData("""{"seat_ids":"J20"}""", 400, "array")]
    [InlineData("""{"seat_ids":[20]}""", 400, "strings")]
    [InlineData("""{"seat_ids":["J20"]""", 400, "not valid JSON")]
    [InlineData("""["J20"]""", 400, "JSON object")]
    [InlineData("""{"seat_ids":["J20"],"user_id":"someone_else"}""", 403, "does not match")]
    public async Task Bad_hold_request_gets_a_problem_and_changes_nothing(string body, int expectedStatus, string detailPart)
    {
        var token = await Api.TokenAsync("u_bad_input");

        var (status, problem, response) = await Api.SendAsync(HttpMethod.Post, $"/v1/shows/{TestCatalog.HotShow}/hold", token, body);

        Assert.Equal(expectedStatus, (int)status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expectedStatus, problem.GetProperty("status").GetInt32());
        Assert.Contains(detailPart, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("J20", await SeatsWithStatusAsync("HELD"));
    }

    [Fact]
    public async Task Hold_for_unknown_show_is_404_and_for_started_show_is_409()
    {
        var token = await Api.TokenAsync("u_shows");

        var (unknown, _, r1) = await Api.HoldAsync("s_nope", token, ["A1"]);
        var (started, problem, r2) = await Api.HoldAsync(TestCatalog.StartedShow, token, ["A1"]);

        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal(HttpStatusCode.Conflict, started);
        Assert.Equal("application/problem+json", r2.Content.Headers.ContentType?.MediaType);
        Assert.Contains("started", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        r1.Dispose();
        r2.Dispose();
    }

    [Fact]
    public async Task Hold_without_a_token_is_401_problem()
    {
        var (status, problem, response) = await Api.SendAsync(HttpMethod.Post, $"/v1/shows/{TestCatalog.HotShow}/hold", null, """{"seat_ids":["A1"]}""");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Queued_request_is_decided_and_readable_only_by_its_owner()
    {
        var owner = await Api.TokenAsync("u_owner");
        var stranger = await Api.TokenAsync("u_stranger");

        var (status, queued, response) = await Api.HoldAsync(TestCatalog.HotShow, owner, ["B1", "B2"]);
        Assert.Equal(HttpStatusCode.Accepted, status);
        var requestId = queued.GetProperty("request_id").GetString()!;
        Assert.Equal($"/v1/hold-requests/{requestId}", response.Headers.Location?.OriginalString);
        Assert.Equal("QUEUED", queued.GetProperty("status").GetString());
        Assert.True(queued.GetProperty("position").GetInt64() >= 0);
        Assert.True(queued.GetProperty("estimated_wait_seconds").GetInt32() >= 0);
        Assert.Equal($"/v1/hold-requests/{requestId}/events", queued.GetProperty("events_url").GetString());

        var decided = await Deadline.UntilAsync(async () =>
        {
            var (_, body, r) = await Api.GetAsync($"/v1/hold-requests/{requestId}", owner);
            r.Dispose();
            return body.GetProperty("status").GetString() == "QUEUED" ? (JsonElement?)null : body;
        }, TimeSpan.FromSeconds(20), "the decision");
        Assert.Equal("HELD", decided.GetProperty("status").GetString());
        var hold = decided.GetProperty("hold");
        Assert.Equal(1000m, hold.GetProperty("total_price").GetDecimal());
        var holdId = hold.GetProperty("hold_id").GetString()!;

        var (foreignRequest, _, r1) = await Api.GetAsync($"/v1/hold-requests/{requestId}", stranger);
        var (foreignHold, _, r2) = await Api.GetAsync($"/v1/holds/{holdId}", stranger);
        var (foreignRelease, _, r3) = await Api.SendAsync(HttpMethod.Post, $"/v1/holds/{holdId}/release", stranger);
        Assert.Equal(HttpStatusCode.NotFound, foreignRequest);
        Assert.Equal(HttpStatusCode.NotFound, foreignHold);
        Assert.Equal(HttpStatusCode.NotFound, foreignRelease);
        await Deadline.UntilAsync(async () => (await SeatsWithStatusAsync("HELD")).Contains("B1"), TimeSpan.FromSeconds(5), "B1 to show HELD");
        r1.Dispose(); r2.Dispose(); r3.Dispose();
    }

    [Fact]
    public async Task Prefer_wait_answers_201_with_the_hold_then_409_naming_the_taken_seats()
    {
        var first = await Api.TokenAsync("u_wait_1");
        var second = await Api.TokenAsync("u_wait_2");

        var (s1, hold, r1) = await Api.HoldAsync(TestCatalog.HotShow, first, ["C1", "C2"], WaitFiveSeconds);
        var (s2, problem, r2) = await Api.HoldAsync(TestCatalog.HotShow, second, ["C2", "C3"], WaitFiveSeconds);

        Assert.Equal(HttpStatusCode.Created, s1);
        Assert.Equal("HELD", hold.GetProperty("status").GetString());
        Assert.Equal(["C1", "C2"], hold.GetProperty("seat_ids").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.True(hold.GetProperty("expires_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(9));
        Assert.Equal(HttpStatusCode.Conflict, s2);
        Assert.Equal("application/problem+json", r2.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["C2"], problem.GetProperty("unavailable_seat_ids").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.DoesNotContain("C3", await SeatsWithStatusAsync("HELD"));
        r1.Dispose(); r2.Dispose();
    }

    [Fact]
    public async Task Same_idempotency_key_returns_the_same_request_and_another_body_is_422()
    {
        var token = await Api.TokenAsync("u_idem");
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = "hold-once-1" };

        var (s1, b1, r1) = await Api.HoldAsync(TestCatalog.HotShow, token, ["D1"], key);
        var (s2, b2, r2) = await Api.HoldAsync(TestCatalog.HotShow, token, ["D1"], key);
        var (s3, _, r3) = await Api.HoldAsync(TestCatalog.HotShow, token, ["D2"], key);

        Assert.Equal(HttpStatusCode.Accepted, s1);
        Assert.Equal(HttpStatusCode.Accepted, s2);
        Assert.Equal(b1.GetProperty("request_id").GetString(), b2.GetProperty("request_id").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, s3);
        Assert.DoesNotContain("D2", await SeatsWithStatusAsync("HELD"));
        r1.Dispose(); r2.Dispose(); r3.Dispose();
    }

    [Fact]
    public async Task Events_stream_ends_with_the_final_status()
    {
        var token = await Api.TokenAsync("u_sse");
        var (_, queued, r) = await Api.HoldAsync(TestCatalog.HotShow, token, ["E1"]);
        r.Dispose();
        var requestId = queued.GetProperty("request_id").GetString()!;

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/hold-requests/{requestId}/events");
        request.Headers.Authorization = new("Bearer", token);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await Api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(cts.Token); // completes only when the server ends the stream

        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("event: status\ndata: ", e, StringComparison.Ordinal));
        var last = JsonSerializer.Deserialize<JsonElement>(events[^1].Split("data: ", 2)[1]);
        Assert.Equal("HELD", last.GetProperty("status").GetString());
        Assert.Equal(requestId, last.GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task Released_hold_frees_its_seats_and_a_second_release_answers_the_same()
    {
        var token = await Api.TokenAsync("u_release");
        var (_, hold, r) = await Api.HoldAsync(TestCatalog.HotShow, token, ["F1", "F2"], WaitFiveSeconds);
        r.Dispose();
        var holdId = hold.GetProperty("hold_id").GetString()!;
        await Deadline.UntilAsync(async () => (await SeatsWithStatusAsync("HELD")).Contains("F1"), TimeSpan.FromSeconds(5), "F1 to show HELD");

        var (s1, released, r1) = await Api.SendAsync(HttpMethod.Post, $"/v1/holds/{holdId}/release", token);
        var (s2, again, r2) = await Api.SendAsync(HttpMethod.Post, $"/v1/holds/{holdId}/release", token);
        var (_, after, r3) = await Api.GetAsync($"/v1/holds/{holdId}", token);

        Assert.Equal(HttpStatusCode.OK, s1);
        Assert.Equal("RELEASED", released.GetProperty("status").GetString());
        Assert.Equal(["F1", "F2"], released.GetProperty("seats_released").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(HttpStatusCode.OK, s2);
        Assert.Equal("RELEASED", again.GetProperty("status").GetString());
        Assert.Equal("RELEASED", after.GetProperty("status").GetString());
        await Deadline.UntilAsync(async () => !(await SeatsWithStatusAsync("HELD")).Contains("F1"), TimeSpan.FromSeconds(5), "F1 to show AVAILABLE");
        r1.Dispose(); r2.Dispose(); r3.Dispose();
    }

    [Fact]
    public async Task Catalog_answers_with_etag_and_304_when_unchanged()
    {
        var (status, cities, response) = await Api.GetAsync("/v1/cities");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("c_test", cities.GetProperty("cities")[0].GetProperty("city_id").GetString());
        var etag = response.Headers.ETag!.ToString();

        var (notModified, _, r2) = await Api.SendAsync(HttpMethod.Get, "/v1/cities", null, headers: new Dictionary<string, string> { ["If-None-Match"] = etag });
        Assert.Equal(HttpStatusCode.NotModified, notModified);

        var (showStatus, show, r3) = await Api.GetAsync($"/v1/shows/{TestCatalog.HotShow}");
        Assert.Equal(HttpStatusCode.OK, showStatus);
        Assert.Equal(200, show.GetProperty("screen").GetProperty("capacity").GetInt32());
        var date = show.GetProperty("starts_at").GetDateTimeOffset().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var (_, shows, r4) = await Api.GetAsync($"/v1/movies/m_test/shows?city_id=c_test&date={date}");
        Assert.Contains(shows.GetProperty("shows").EnumerateArray(), s => s.GetProperty("show_id").GetString() == TestCatalog.HotShow);
        var (badDate, _, r5) = await Api.GetAsync("/v1/movies?date=tomorrow");
        Assert.Equal(HttpStatusCode.BadRequest, badDate);
        response.Dispose(); r2.Dispose(); r3.Dispose(); r4.Dispose(); r5.Dispose();
    }

    [Fact]
    public async Task OpenApi_document_describes_every_endpoint_and_health_answers()
    {
        var (status, doc, response) = await Api.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, status);
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[]
                 {
                     "/v1/cities", "/v1/movies", "/v1/movies/{movie_id}/shows", "/v1/venues/{venue_id}/screens", "/v1/shows/{show_id}",
                     "/v1/shows/{show_id}/seats", "/v1/shows/{show_id}/hold", "/v1/hold-requests/{request_id}",
                     "/v1/hold-requests/{request_id}/events", "/v1/holds/{hold_id}", "/v1/holds/{hold_id}/release", "/v1/auth/dev-token",
                 })
        {
            Assert.Contains(path, paths);
        }
        var (live, _, r2) = await Api.GetAsync("/health/live");
        var (ready, _, r3) = await Api.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, live);
        Assert.Equal(HttpStatusCode.OK, ready);
        response.Dispose(); r2.Dispose(); r3.Dispose();
    }
}
