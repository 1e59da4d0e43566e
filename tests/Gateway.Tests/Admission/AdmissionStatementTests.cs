using System.Runtime.CompilerServices;
using System.Text.Json;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Persistence;
using BookMyShow.Gateway.Admission;
using BookMyShow.TestInfrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Gateway.Tests.Admission;

/// <summary>The admission group's one statement on a real PostgreSQL: what it answers, and how often it counts.</summary>
public sealed class AdmissionStatementTests : IAsyncLifetime
{
    ServiceProvider _provider = null!;

    public async Task InitializeAsync()
    {
        var services = await TestServices.Shared;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(await services.CreateDatabaseSettingsAsync("admission")).Build();
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddBookingDatabase(configuration);
        _provider = collection.BuildServiceProvider(validateScopes: true);
        await using var db = await Contexts().CreateDbContextAsync();
        await db.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    IDbContextFactory<BookingDbContext> Contexts() => _provider.GetRequiredService<IDbContextFactory<BookingDbContext>>();

    static List<HoldRequest> Group(string prefix, params (string Show, int Count)[] shows) =>
    [
        .. shows.SelectMany(s => Enumerable.Range(0, s.Count).Select(i => new HoldRequest
        {
            Id = $"r_{prefix}_{s.Show}_{i}", ShowId = s.Show, UserId = $"u_{i}", SeatIds = "A1", Status = RequestStatus.Queued,
            AdmittedAt = DateTime.UtcNow,
        })),
    ];

    [Fact]
    public async Task A_group_learns_how_many_of_its_shows_requests_wait_ahead_of_it()
    {
        await using var db = await Contexts().CreateDbContextAsync();
        await db.Database.SqlQuery<AdmissionBatcher.Inserted>(AdmissionBatcher.InsertStatement(Group("first", ("s_1", 5), ("s_2", 2)))).ToListAsync();
        await db.Database.ExecuteSqlRawAsync("UPDATE hold_requests SET status = 'REJECTED' WHERE id = 'r_first_s_2_0'");

        var rows = await db.Database.SqlQuery<AdmissionBatcher.Inserted>(AdmissionBatcher.InsertStatement(Group("second", ("s_1", 3), ("s_2", 2), ("s_3", 1)))).ToListAsync();

        Assert.Equal(6, rows.Count);
        Assert.All(rows.Where(r => r.Id.Contains("_s_1_", StringComparison.Ordinal)), r => Assert.Equal(5, r.Ahead));
        Assert.All(rows.Where(r => r.Id.Contains("_s_2_", StringComparison.Ordinal)), r => Assert.Equal(1, r.Ahead)); // one decided
        Assert.Equal(0, Assert.Single(rows, r => r.Id.Contains("_s_3_", StringComparison.Ordinal)).Ahead);
        Assert.Equal(rows.Count, rows.Select(r => r.Seq).Distinct().Count());
    }

    /// <summary>
    /// The count of the requests ahead runs once per show of the group. Inlined by the planner it ran once per row:
    /// in an on-sale (groups of hundreds, thousands waiting) that was most of PostgreSQL's work.
    /// </summary>
    [Fact]
    public async Task The_requests_ahead_are_counted_once_per_show_not_once_per_request()
    {
        await using var db = await Contexts().CreateDbContextAsync();
        await db.Database.SqlQuery<AdmissionBatcher.Inserted>(AdmissionBatcher.InsertStatement(Group("before", ("s_1", 20)))).ToListAsync();

        var statement = AdmissionBatcher.InsertStatement(Group("measured", ("s_1", 30), ("s_2", 10)));
        var explain = FormattableStringFactory.Create("EXPLAIN (ANALYZE, FORMAT JSON) " + statement.Format, statement.GetArguments());
        await using var tx = await db.Database.BeginTransactionAsync(); // EXPLAIN ANALYZE runs the insert: rolled back
        var plan = (await db.Database.SqlQuery<string>(explain).ToListAsync()).Single();
        await tx.RollbackAsync();

        var subPlans = SubPlans(JsonDocument.Parse(plan).RootElement[0].GetProperty("Plan")).ToList();
        Assert.NotEmpty(subPlans);
        Assert.All(subPlans, loops => Assert.Equal(2, loops));
    }

    /// <summary>The "Actual Loops" of every sub-plan in an EXPLAIN (FORMAT JSON) tree.</summary>
    static IEnumerable<int> SubPlans(JsonElement node)
    {
        if (node.TryGetProperty("Parent Relationship", out var relationship) && relationship.GetString() == "SubPlan")
        {
            yield return node.GetProperty("Actual Loops").GetInt32();
        }
        if (!node.TryGetProperty("Plans", out var children)) yield break;
        foreach (var child in children.EnumerateArray())
        {
            foreach (var loops in SubPlans(child)) yield return loops;
        }
    }
}
