using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using BookMyShow.TestInfrastructure;

namespace BookMyShow.EndToEnd.Tests;

public sealed record RaceRequest(int Index, string UserId, IReadOnlyList<string> Seats)
{
    public string? RequestId { get; set; }
    public HttpStatusCode AdmissionStatus { get; set; }
    public string? FinalStatus { get; set; }
    public string? HoldId { get; set; }
    public IReadOnlyList<string> HeldSeats { get; set; } = [];
}

/// <summary>Many users racing for the seats of one show, through the public API, and the checks of the outcome.</summary>
public static class HotShowRace
{
    public static List<RaceRequest> Plan(int users, int requests, int seed)
    {
        var random = new Random(seed);
        var plan = new List<RaceRequest>(requests);
        for (var i = 0; i < requests; i++)
        {
            var count = random.Next(1, 5);
            var row = "ABCDEFGHIJ"[random.Next(10)];
            var start = random.Next(1, 22 - count);
            plan.Add(new RaceRequest(i, $"u_{i % users}", Enumerable.Range(start, count).Select(n => $"{row}{n}").ToList()));
        }
        return plan;
    }

    public static async Task<Dictionary<string, string>> TokensAsync(ApiClient api, IEnumerable<string> users)
    {
        var tokens = new ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(users.Distinct(), new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (user, _) => tokens[user] = await api.TokenAsync(user));
        return new Dictionary<string, string>(tokens);
    }

    /// <summary>Sends every request as fast as the given parallelism allows; records the admission answers.</summary>
    public static Task SubmitAsync(ApiClient api, IReadOnlyList<RaceRequest> plan, IReadOnlyDictionary<string, string> tokens, int parallelism, bool tolerateFailures = false, CancellationToken ct = default) =>
        Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (request, _) =>
        {
            HttpStatusCode status;
            JsonElement body;
            try
            {
                (status, body, var response) = await api.HoldAsync(TestCatalog.HotShow, tokens[request.UserId], request.Seats);
                response.Dispose();
            }
            catch (HttpRequestException) when (tolerateFailures)
            {
                return; // the gateway went away mid-request: no answer, no promise
            }
            request.AdmissionStatus = status;
            if (status == HttpStatusCode.Accepted) request.RequestId = body.GetProperty("request_id").GetString();
        });

    /// <summary>Polls each undecided request until all have a final answer.</summary>
    public static async Task AwaitDecisionsAsync(ApiClient api, IReadOnlyList<RaceRequest> plan, IReadOnlyDictionary<string, string> tokens, TimeSpan timeout)
    {
        await Deadline.UntilAsync(async () =>
        {
            var open = plan.Where(r => r.RequestId is not null && r.FinalStatus is null).ToList();
            await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (request, _) =>
            {
                var (status, body, response) = await api.GetAsync($"/v1/hold-requests/{request.RequestId}", tokens[request.UserId]);
                response.Dispose();
                if (status != HttpStatusCode.OK) throw new InvalidOperationException($"GET request {request.RequestId} answered {status}");
                var state = body.GetProperty("status").GetString();
                if (state == "QUEUED") return;
                request.FinalStatus = state;
                if (state == "HELD")
                {
                    var hold = body.GetProperty("hold");
                    request.HoldId = hold.GetProperty("hold_id").GetString();
                    request.HeldSeats = hold.GetProperty("seat_ids").EnumerateArray().Select(s => s.GetString()!).ToList();
                }
            });
            return plan.All(r => r.RequestId is null || r.FinalStatus is not null);
        }, timeout, $"final answers for all requests ({plan.Count(r => r.FinalStatus is null)} open)");
    }

    /// <summary>The race's invariants, checked through the public API.</summary>
    public static async Task AssertInvariantsAsync(ApiClient api, IReadOnlyList<RaceRequest> plan)
    {
        Assert.All(plan, r => Assert.Equal(HttpStatusCode.Accepted, r.AdmissionStatus));
        Assert.All(plan, r => Assert.True(r.FinalStatus is "HELD" or "REJECTED", $"request {r.RequestId} ended {r.FinalStatus}"));
        Assert.Equal(plan.Count, plan.Select(r => r.RequestId).Distinct().Count());

        var granted = plan.Where(r => r.FinalStatus == "HELD").ToList();
        Assert.NotEmpty(granted);
        Assert.Equal(granted.Count, granted.Select(r => r.HoldId).Distinct().Count());
        Assert.All(granted, r => Assert.Equal(r.Seats.Order(), r.HeldSeats.Order()));

        // No seat in two holds.
        var heldSeats = granted.SelectMany(r => r.HeldSeats).ToList();
        var doubles = heldSeats.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(doubles);

        // The seat map shows exactly the seats of the granted holds as HELD.
        var (status, body, response) = await api.GetAsync($"/v1/shows/{TestCatalog.HotShow}/seats");
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        var mapHeld = body.GetProperty("seats").EnumerateArray()
            .Where(s => s.GetProperty("status").GetString() == "HELD")
            .Select(s => s.GetProperty("seat_id").GetString()!)
            .Order().ToList();
        Assert.Equal(heldSeats.Order().ToList(), mapHeld);

        // A rejected request failed only because one of its seats went to a request decided before it.
        var rejected = plan.Where(r => r.FinalStatus == "REJECTED").ToList();
        Assert.All(rejected, r => Assert.Contains(r.Seats, s => heldSeats.Contains(s)));
    }

    public static string Summary(IReadOnlyList<RaceRequest> plan) =>
        $"{plan.Count} requests, {plan.Count(r => r.FinalStatus == "HELD")} held, {plan.Count(r => r.FinalStatus == "REJECTED")} rejected, " +
        $"{plan.Where(r => r.FinalStatus == "HELD").Sum(r => r.Seats.Count)} seats held";

    public static JsonElement Parse(string json) => JsonSerializer.Deserialize<JsonElement>(json);
}
