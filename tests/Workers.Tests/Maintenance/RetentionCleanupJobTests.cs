using BookMyShow.Core.Inbox;
using BookMyShow.Core.Persistence;
using BookMyShow.TestInfrastructure;
using BookMyShow.Workers.Maintenance;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BookMyShow.Workers.Tests.Maintenance;

/// <summary>The retention cleanup on a real PostgreSQL database of its own per test (and once on SQLite), with a fake clock.</summary>
public sealed class RetentionCleanupJobTests : IAsyncLifetime
{
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    readonly List<ServiceProvider> _providers = [];
    string _postgres = null!;

    DateTime Now => _time.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        var services = await TestServices.Shared;
        _postgres = await services.CreateDatabaseAsync("retention");
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers) await provider.DisposeAsync();
    }

    async Task<ServiceProvider> ProviderAsync(Dictionary<string, string?>? retention = null, string provider = "Postgres", string? sqliteFile = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:Postgres"] = _postgres,
            ["ConnectionStrings:Sqlite"] = $"Data Source={sqliteFile}",
        };
        foreach (var (key, value) in retention ?? []) settings[$"Retention:{key}"] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton<TimeProvider>(_time);
        collection.AddBookingDatabase(configuration);
        collection.AddRetention(configuration);
        var services = collection.BuildServiceProvider(validateScopes: true);
        _providers.Add(services);
        await using var db = await services.GetRequiredService<IDbContextFactory<BookingDbContext>>().CreateDbContextAsync();
        await db.Database.EnsureCreatedAsync();
        return services;
    }

    static IDbContextFactory<BookingDbContext> Contexts(IServiceProvider services) => services.GetRequiredService<IDbContextFactory<BookingDbContext>>();

    static InboxMessage Inbox(DateTime processedAt, string consumer = "analytics") =>
        new() { Consumer = consumer, MessageId = Guid.NewGuid(), ProcessedAt = processedAt };

    static ConfirmRequest Confirm(string key, DateTime createdAt, DateTime? answeredAt) => new()
    {
        UserId = "u_1",
        IdempotencyKey = key,
        HoldId = $"h_{key}",
        RequestHash = "hash",
        AttemptId = $"a_{key}",
        StatusCode = answeredAt is null ? null : 200,
        ResponseBody = answeredAt is null ? null : "{}",
        CreatedAt = createdAt,
        AnsweredAt = answeredAt,
    };

    static async Task SeedAsync(IServiceProvider services, Action<BookingDbContext> seed)
    {
        await using var db = await Contexts(services).CreateDbContextAsync();
        seed(db);
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Inbox_rows_older_than_the_retention_are_deleted_and_newer_ones_kept()
    {
        var services = await ProviderAsync(new() { ["Inbox"] = "3.00:00:00" });
        var old = new[] { Inbox(Now.AddDays(-30)), Inbox(Now.AddDays(-3).AddMinutes(-1), "email") };
        var recent = new[] { Inbox(Now.AddDays(-3).AddMinutes(1)), Inbox(Now.AddMinutes(-5), "email"), Inbox(Now) };
        await SeedAsync(services, db => db.Inbox.AddRange([.. old, .. recent]));

        var deleted = await services.GetRequiredService<RetentionCleanupJob>().RunAsync(CancellationToken.None);

        Assert.Equal((2, 0), deleted);
        await using var db = await Contexts(services).CreateDbContextAsync();
        Assert.Equal(recent.Select(r => r.MessageId).Order(), (await db.Inbox.Select(i => i.MessageId).ToListAsync()).Order());
    }

    [Fact]
    public async Task Answered_confirm_requests_past_the_retention_are_deleted_and_unanswered_ones_kept_however_old()
    {
        var services = await ProviderAsync(new() { ["ConfirmAnswers"] = "2.00:00:00" });
        await SeedAsync(services, db => db.ConfirmRequests.AddRange(
            Confirm("answered-old", Now.AddDays(-10), Now.AddDays(-10).AddMinutes(1)),
            Confirm("answered-just-past", Now.AddDays(-2).AddMinutes(-1), Now.AddDays(-2)),
            Confirm("answered-recent", Now.AddDays(-2).AddMinutes(1), Now.AddDays(-2).AddMinutes(2)),
            Confirm("unanswered-ancient", Now.AddDays(-365), null),
            Confirm("unanswered-recent", Now.AddMinutes(-1), null)));

        var deleted = await services.GetRequiredService<RetentionCleanupJob>().RunAsync(CancellationToken.None);

        Assert.Equal((0, 2), deleted);
        await using var db = await Contexts(services).CreateDbContextAsync();
        Assert.Equal(["answered-recent", "unanswered-ancient", "unanswered-recent"],
            await db.ConfirmRequests.OrderBy(r => r.IdempotencyKey).Select(r => r.IdempotencyKey).ToListAsync());
    }

    [Theory]
    [InlineData(250)]
    [InlineData(200)]
    public async Task Rows_beyond_one_batch_are_all_deleted(int old)
    {
        var services = await ProviderAsync(new() { ["BatchSize"] = "100" });
        await SeedAsync(services, db =>
        {
            for (var i = 0; i < old; i++)
            {
                db.Inbox.Add(Inbox(Now.AddDays(-8).AddSeconds(-i)));
                db.ConfirmRequests.Add(Confirm($"old-{i}", Now.AddDays(-3).AddSeconds(-i), Now.AddDays(-3)));
            }
            db.Inbox.Add(Inbox(Now.AddDays(-1)));
            db.ConfirmRequests.Add(Confirm("recent", Now.AddHours(-1), Now.AddHours(-1)));
        });

        var deleted = await services.GetRequiredService<RetentionCleanupJob>().RunAsync(CancellationToken.None);

        Assert.Equal((old, old), deleted);
        await using var db = await Contexts(services).CreateDbContextAsync();
        Assert.Equal(1, await db.Inbox.CountAsync());
        Assert.Equal("recent", (await db.ConfirmRequests.SingleAsync()).IdempotencyKey);
    }

    [Fact]
    public async Task Rows_become_due_as_the_clock_moves_on()
    {
        var services = await ProviderAsync();
        await SeedAsync(services, db => db.Inbox.Add(Inbox(Now)));
        var job = services.GetRequiredService<RetentionCleanupJob>();

        _time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        Assert.Equal((0, 0), await job.RunAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal((1, 0), await job.RunAsync(CancellationToken.None));
    }

    [Fact]
    public async Task On_sqlite_batches_delete_every_old_row()
    {
        var file = Path.Combine(Path.GetTempPath(), $"retention-{Guid.NewGuid():N}.db");
        try
        {
            var services = await ProviderAsync(new() { ["BatchSize"] = "100" }, "Sqlite", file);
            await SeedAsync(services, db =>
            {
                for (var i = 0; i < 150; i++) db.Inbox.Add(Inbox(Now.AddDays(-8).AddSeconds(-i)));
                db.Inbox.Add(Inbox(Now));
                db.ConfirmRequests.AddRange(Confirm("old", Now.AddDays(-3), Now.AddDays(-3)), Confirm("open", Now.AddDays(-3), null));
            });
            // One written the way consumers write them, by raw SQL: its time must compare like EF Core's.
            await using (var raw = await Contexts(services).CreateDbContextAsync())
            {
                Assert.True(await raw.TryRecordInboxAsync("email", Guid.NewGuid(), Now.AddDays(-8), CancellationToken.None));
            }

            var deleted = await services.GetRequiredService<RetentionCleanupJob>().RunAsync(CancellationToken.None);

            Assert.Equal((151, 1), deleted);
            await using var db = await Contexts(services).CreateDbContextAsync();
            Assert.Equal(1, await db.Inbox.CountAsync());
            Assert.Equal("open", (await db.ConfirmRequests.SingleAsync()).IdempotencyKey);
        }
        finally
        {
            foreach (var provider in _providers) await provider.DisposeAsync();
            _providers.Clear();
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("ConfirmAnswers", "23:59:00", "Retention:ConfirmAnswers")]
    [InlineData("ConfirmAnswers", "00:00:00", "Retention:ConfirmAnswers")]
    [InlineData("Inbox", "00:30:00", "Retention:Inbox")]
    [InlineData("Interval", "00:00:00.500", "Retention:Interval")]
    public void Setting_below_its_minimum_is_rejected_naming_the_key(string key, string value, string named)
    {
        var error = Assert.Throws<OptionsValidationException>(() => OptionsFrom(key, value));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Confirm_answers_kept_for_exactly_24_hours_are_accepted()
    {
        Assert.Equal(TimeSpan.FromHours(24), OptionsFrom("ConfirmAnswers", "1.00:00:00").ConfirmAnswers);
    }

    static RetentionOptions OptionsFrom(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"Retention:{key}"] = value }).Build();
        using var services = new ServiceCollection().AddRetention(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<RetentionOptions>>().Value;
    }
}
