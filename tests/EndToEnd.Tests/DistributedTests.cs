using System.Net;
using System.Text.Json;
using BookMyShow.TestInfrastructure;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>Gateway and workers as separate processes on real RabbitMQ and PostgreSQL.</summary>
public sealed class DistributedTests
{
    [Fact]
    public async Task Race_with_two_workers_never_double_holds_and_answers_every_request_once()
    {
        await using var deployment = await Deployment.StartDistributedAsync(workers: 2, catalogFile: TestCatalog.FilePath);
        await using var tap = await DecisionTap.StartAsync(deployment.RabbitMqUri!);
        var plan = HotShowRace.Plan(users: 500, requests: 2000, seed: 11);
        var tokens = await HotShowRace.TokensAsync(deployment.Api, plan.Select(r => r.UserId));

        await HotShowRace.SubmitAsync(deployment.Api, plan, tokens, parallelism: 64);
        await HotShowRace.AwaitDecisionsAsync(deployment.Api, plan, tokens, TimeSpan.FromMinutes(3));

        await HotShowRace.AssertInvariantsAsync(deployment.Api, plan);
        await Inspect.AssertSeatInvariantsAsync(deployment.PostgresConnectionString!, TestCatalog.HotShow);
        // Every request's decision was announced exactly once.
        await Deadline.UntilAsync(() => Task.FromResult(tap.Counts().Count == plan.Count), TimeSpan.FromSeconds(30), "a decision event per request");
        var counts = tap.Counts();
        Assert.All(plan, r => Assert.Equal(1, counts.GetValueOrDefault(r.RequestId!)));
    }

    [Fact]
    public async Task Standby_worker_takes_over_when_the_active_one_is_killed_with_a_thousand_requests_queued()
    {
        await using var deployment = await Deployment.StartDistributedAsync(workers: 2, catalogFile: TestCatalog.FilePath);
        var active = deployment.Workers[0]; // first to subscribe: the single active consumer of every partition
        var standby = deployment.Workers[1];
        var cs = deployment.PostgresConnectionString!;
        var plan = HotShowRace.Plan(users: 500, requests: 1300, seed: 23);
        var tokens = await HotShowRace.TokensAsync(deployment.Api, plan.Select(r => r.UserId));

        // The active worker is deciding the first requests when it stops answering...
        await HotShowRace.SubmitAsync(deployment.Api, plan.Take(300).ToList(), tokens, parallelism: 64);
        await active.SendSignalAsync("STOP");
        // ...while a thousand more wait in its partition's queue...
        await HotShowRace.SubmitAsync(deployment.Api, plan.Skip(300).ToList(), tokens, parallelism: 64);
        var queued = await Inspect.ScalarAsync(cs, "SELECT count(*) FROM hold_requests WHERE status = 'QUEUED'");
        Assert.True(queued >= 1000, $"only {queued} requests were queued when the worker died");

        // ...and then dies without a word.
        active.Kill();
        await HotShowRace.AwaitDecisionsAsync(deployment.Api, plan, tokens, TimeSpan.FromMinutes(3));

        Assert.False(standby.HasExited);
        await HotShowRace.AssertInvariantsAsync(deployment.Api, plan);
        await Inspect.AssertSeatInvariantsAsync(cs, TestCatalog.HotShow);
        Assert.Equal(plan.Count, await Inspect.ScalarAsync(cs, "SELECT count(*) FROM hold_requests WHERE status IN ('HELD', 'REJECTED')"));
    }

    [Fact]
    public async Task Requests_waiting_for_a_stopped_worker_are_told_their_places_in_arrival_order()
    {
        await using var deployment = await Deployment.StartDistributedAsync(workers: 1, catalogFile: TestCatalog.FilePath);
        var worker = deployment.Workers[0];
        var users = new[] { "u_place_0", "u_place_1", "u_place_2" };
        var tokens = new List<string>();
        foreach (var user in users) tokens.Add(await deployment.Api.TokenAsync(user));

        // Nothing is decided while the worker is stopped: each request waits behind the ones admitted before it.
        await worker.SendSignalAsync("STOP");
        var requestIds = new List<string>();
        try
        {
            for (var i = 0; i < users.Length; i++)
            {
                var (status, queued, response) = await deployment.Api.HoldAsync(TestCatalog.HotShow, tokens[i], [$"B{i + 1}"]);
                response.Dispose();
                Assert.Equal(HttpStatusCode.Accepted, status);
                Assert.Equal(i, queued.GetProperty("position").GetInt32());
                requestIds.Add(queued.GetProperty("request_id").GetString()!);
            }
        }
        finally
        {
            await worker.SendSignalAsync("CONT");
        }

        for (var i = 0; i < users.Length; i++)
        {
            var requestId = requestIds[i];
            var token = tokens[i];
            await Deadline.UntilAsync(async () =>
            {
                var (_, view, r) = await deployment.Api.GetAsync($"/v1/hold-requests/{requestId}", token);
                r.Dispose();
                return view.GetProperty("status").GetString() == "HELD";
            }, TimeSpan.FromSeconds(30), $"request {i} to be held once the worker runs again");
        }
    }

    [Fact]
    public async Task A_request_left_queued_by_a_gateway_that_died_before_the_broker_had_it_still_gets_its_final_answer()
    {
        await using var deployment = await Deployment.StartDistributedAsync(workers: 1, new Dictionary<string, string?>
        {
            ["Holds__SweepInterval"] = "00:00:01",
            ["Holds__StrandedRequestAfter"] = "00:00:05",
        }, catalogFile: TestCatalog.FilePath);
        var token = await deployment.Api.TokenAsync("u_stranded");
        var cs = deployment.PostgresConnectionString!;

        // What a gateway killed between recording a request and the broker's confirm leaves behind: the QUEUED row,
        // and no PlaceHold on its way to the partition.
        var requestId = "r_" + Guid.NewGuid().ToString("N");
        Assert.True(await Inspect.ScalarAsync(cs,
            "INSERT INTO hold_requests (id, show_id, user_id, seat_ids, idempotency_key, status, admitted_at) " +
            "VALUES (@id, @show, 'u_stranded', 'C1,C2', 'key-stranded', 'QUEUED', now()) RETURNING seq",
            ("id", requestId), ("show", TestCatalog.HotShow)) > 0);

        // The user's retry with the same Idempotency-Key is answered 202 for that request...
        var (status, queued, response) = await deployment.Api.HoldAsync(TestCatalog.HotShow, token, ["C1", "C2"],
            new Dictionary<string, string> { ["Idempotency-Key"] = "key-stranded" });
        response.Dispose();
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(requestId, queued.GetProperty("request_id").GetString());

        // ...so it must be decided: the backstop sweep hands it to its partition once it has waited StrandedRequestAfter.
        await Deadline.UntilAsync(async () =>
        {
            var (_, view, r) = await deployment.Api.GetAsync($"/v1/hold-requests/{requestId}", token);
            r.Dispose();
            return view.GetProperty("status").GetString() == "HELD";
        }, TimeSpan.FromSeconds(30), "the stranded request to be decided");
        var decidedAfter = await Inspect.ScalarAsync(cs, "SELECT (EXTRACT(EPOCH FROM decided_at - admitted_at) * 1000)::bigint FROM hold_requests WHERE id = @id", ("id", requestId));
        Assert.True(decidedAfter >= 5000, $"decided {decidedAfter} ms after admission, before StrandedRequestAfter");
        Assert.Equal(1, await Inspect.ScalarAsync(cs, "SELECT count(*) FROM holds WHERE request_id = @id", ("id", requestId)));
        await Inspect.AssertSeatInvariantsAsync(cs, TestCatalog.HotShow);
    }

    [Fact]
    public async Task Any_gateway_answers_for_a_request_and_expired_holds_are_swept()
    {
        await using var deployment = await Deployment.StartDistributedAsync(workers: 1, new Dictionary<string, string?>
        {
            ["Holds__Ttl"] = "00:00:03",
            ["Holds__SweepInterval"] = "00:00:01",
        }, catalogFile: TestCatalog.FilePath);
        var other = await deployment.StartExtraGatewayAsync();
        var token = await deployment.Api.TokenAsync("u_multi");

        var (status, queued, response) = await deployment.Api.HoldAsync(TestCatalog.HotShow, token, ["A1", "A2"]);
        response.Dispose();
        Assert.Equal(HttpStatusCode.Accepted, status);
        var requestId = queued.GetProperty("request_id").GetString()!;

        // The other gateway streams the outcome of a request it never saw admitted.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/hold-requests/{requestId}/events");
        request.Headers.Authorization = new("Bearer", token);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var stream = await other.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var events = (await stream.Content.ReadAsStringAsync(cts.Token)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var final = JsonSerializer.Deserialize<JsonElement>(events[^1].Split("data: ", 2)[1]);
        Assert.Equal("HELD", final.GetProperty("status").GetString());
        var holdId = final.GetProperty("hold").GetProperty("hold_id").GetString()!;

        // Nobody touches the seats again: the sweep alone ends the hold, through the partition.
        var cs = deployment.PostgresConnectionString!;
        await Deadline.UntilAsync(async () => await Inspect.ScalarAsync(cs, "SELECT count(*) FROM holds WHERE id = @id AND status = 'EXPIRED'", ("id", holdId)) == 1,
            TimeSpan.FromSeconds(20), "the sweep to expire the hold");
        Assert.Equal(0, await Inspect.ScalarAsync(cs, "SELECT count(*) FROM show_seats WHERE status <> 'AVAILABLE'"));
        var (holdStatus, hold, r1) = await other.GetAsync($"/v1/holds/{holdId}", token);
        Assert.Equal(HttpStatusCode.OK, holdStatus);
        Assert.Equal("EXPIRED", hold.GetProperty("status").GetString());
        var (releaseStatus, _, r2) = await deployment.Api.SendAsync(HttpMethod.Post, $"/v1/holds/{holdId}/release", token);
        Assert.Equal(HttpStatusCode.Conflict, releaseStatus);
        r1.Dispose(); r2.Dispose();
    }
}
