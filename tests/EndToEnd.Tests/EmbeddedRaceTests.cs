namespace BookMyShow.EndToEnd.Tests;

/// <summary>The hot-show race in the embedded mode: one process, in-memory transport, SQLite.</summary>
public sealed class EmbeddedRaceTests
{
    [Fact]
    public async Task Two_thousand_requests_from_500_users_for_200_seats_never_double_hold()
    {
        await using var deployment = await Deployment.StartEmbeddedAsync();
        var plan = HotShowRace.Plan(users: 500, requests: 2000, seed: 7);
        var tokens = await HotShowRace.TokensAsync(deployment.Api, plan.Select(r => r.UserId));

        await HotShowRace.SubmitAsync(deployment.Api, plan, tokens, parallelism: 64);
        await HotShowRace.AwaitDecisionsAsync(deployment.Api, plan, tokens, TimeSpan.FromMinutes(3));

        await HotShowRace.AssertInvariantsAsync(deployment.Api, plan);
    }
}
