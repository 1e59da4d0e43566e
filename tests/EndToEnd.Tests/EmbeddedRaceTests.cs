using BookMyShow.TestInfrastructure;
using Microsoft.Data.Sqlite;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>The hot-show race in the embedded mode: one process, in-memory transport, SQLite.</summary>
public sealed class EmbeddedRaceTests
{
    [Fact]
    public async Task Two_thousand_requests_from_500_users_for_200_seats_never_double_hold()
    {
        await using var deployment = await Deployment.StartEmbeddedAsync(catalogFile: TestCatalog.FilePath);
        var plan = HotShowRace.Plan(users: 500, requests: 2000, seed: 7);
        var tokens = await HotShowRace.TokensAsync(deployment.Api, plan.Select(r => r.UserId));

        await HotShowRace.SubmitAsync(deployment.Api, plan, tokens, parallelism: 64);
        await HotShowRace.AwaitDecisionsAsync(deployment.Api, plan, tokens, TimeSpan.FromMinutes(3));

        await HotShowRace.AssertInvariantsAsync(deployment.Api, plan);
    }

    [Fact]
    public async Task Requests_queued_when_the_process_is_killed_are_decided_after_restart()
    {
        await using var deployment = await Deployment.StartEmbeddedAsync(catalogFile: TestCatalog.FilePath);
        var plan = HotShowRace.Plan(users: 200, requests: 3000, seed: 5);
        var tokens = await HotShowRace.TokensAsync(deployment.Api, plan.Select(r => r.UserId));

        // Kill the process in the middle of a flood of requests.
        using var stop = new CancellationTokenSource();
        var flood = HotShowRace.SubmitAsync(deployment.Api, plan, tokens, parallelism: 64, tolerateFailures: true, stop.Token);
        // Strike while requests are waiting in the in-memory queue (admitted, not yet decided).
        await Deadline.UntilAsync(async () => await SqliteScalarAsync(deployment, "SELECT count(*) FROM hold_requests WHERE status = 'QUEUED'") >= 5,
            TimeSpan.FromMinutes(1), "requests waiting in the queue");
        await deployment.KillGatewayAsync();
        await stop.CancelAsync();
        await flood.ContinueWith(_ => { }, TaskScheduler.Default);
        var queuedAtDeath = await SqliteScalarAsync(deployment, "SELECT count(*) FROM hold_requests WHERE status = 'QUEUED'");
        Assert.True(queuedAtDeath > 0, "no request was waiting when the process died: the test proves nothing");

        await deployment.RestartGatewayAsync();
        // Development tokens are signed with a per-process key: the restarted process issues new ones.
        tokens = await HotShowRace.TokensAsync(deployment.Api, plan.Select(x => x.UserId));
        var admitted = plan.Where(r => r.RequestId is not null).ToList();
        await HotShowRace.AwaitDecisionsAsync(deployment.Api, admitted, tokens, TimeSpan.FromMinutes(3));

        Assert.All(admitted, r => Assert.True(r.FinalStatus is "HELD" or "REJECTED"));
        // Requests that were in flight when it died (never answered) are decided too, after the answered ones.
        await Deadline.UntilAsync(async () => await SqliteScalarAsync(deployment, "SELECT count(*) FROM hold_requests WHERE status = 'QUEUED'") == 0,
            TimeSpan.FromMinutes(1), "every recorded request to be decided");
        Assert.Equal(0, await SqliteScalarAsync(deployment, "SELECT count(*) FROM (SELECT 1 FROM hold_seats WHERE active GROUP BY show_id, seat_id HAVING count(*) > 1)"));
        Assert.Equal(
            await SqliteScalarAsync(deployment, "SELECT count(*) FROM hold_seats WHERE active"),
            await SqliteScalarAsync(deployment, "SELECT count(*) FROM show_seats WHERE status = 'HELD'"));
        Assert.Equal(
            await SqliteScalarAsync(deployment, "SELECT count(*) FROM hold_requests WHERE status = 'HELD'"),
            await SqliteScalarAsync(deployment, "SELECT count(*) FROM holds"));
    }

    static async Task<long> SqliteScalarAsync(Deployment deployment, string sql)
    {
        await using var connection = new SqliteConnection(deployment.SqliteConnectionString);
        await connection.OpenAsync();
        await using var command = new SqliteCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
