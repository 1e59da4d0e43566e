using BookMyShow.Core.Inbox;
using BookMyShow.Core.Persistence;
using BookMyShow.TestInfrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Workers.Tests.Outbox;

/// <summary>The inbox on a real PostgreSQL database of its own per test, and on a SQLite file.</summary>
public sealed class InboxTests : IAsyncLifetime
{
    const string Consumer = "test-consumer";
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
    ServiceProvider _provider = null!;

    public async Task InitializeAsync()
    {
        var services = await TestServices.Shared;
        _provider = await ProviderAsync(await services.CreateDatabaseSettingsAsync("inbox"));
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    static async Task<ServiceProvider> ProviderAsync(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var collection = new ServiceCollection();
        collection.AddBookingDatabase(configuration);
        var provider = collection.BuildServiceProvider(validateScopes: true);
        await using var db = await provider.GetRequiredService<IDbContextFactory<BookingDbContext>>().CreateDbContextAsync();
        await db.Database.EnsureCreatedAsync();
        return provider;
    }

    IDbContextFactory<BookingDbContext> Contexts => _provider.GetRequiredService<IDbContextFactory<BookingDbContext>>();

    /// <summary>Records <paramref name="messageId"/> in a transaction of its own and commits it.</summary>
    static async Task<bool> RecordAsync(IDbContextFactory<BookingDbContext> contexts, string consumer, Guid messageId)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await using var tx = await db.Database.BeginTransactionAsync();
        var recorded = await db.TryRecordInboxAsync(consumer, messageId, Now, CancellationToken.None);
        await tx.CommitAsync();
        return recorded;
    }

    async Task<int> RowsAsync(Guid messageId)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        return await db.Inbox.CountAsync(i => i.MessageId == messageId);
    }

    /// <summary>Whether some session of this database is waiting for a lock (the second insert of a key, here).</summary>
    async Task<bool> SomeoneWaitsForALockAsync()
    {
        await using var db = await Contexts.CreateDbContextAsync();
        return await db.Database.SqlQuery<int>(
            $"SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").SingleAsync() > 0;
    }

    [Fact]
    public async Task First_record_of_a_message_is_true_and_every_later_one_false()
    {
        var id = Guid.NewGuid();

        Assert.True(await RecordAsync(Contexts, Consumer, id));
        Assert.False(await RecordAsync(Contexts, Consumer, id));
        Assert.False(await RecordAsync(Contexts, Consumer, id));

        await using var db = await Contexts.CreateDbContextAsync();
        var row = await db.Inbox.SingleAsync();
        Assert.Equal((Consumer, id, Now), (row.Consumer, row.MessageId, row.ProcessedAt));
    }

    [Fact]
    public async Task Same_message_for_another_consumer_is_recorded_again()
    {
        var id = Guid.NewGuid();
        Assert.True(await RecordAsync(Contexts, "analytics", id));

        Assert.True(await RecordAsync(Contexts, "email", id));
        Assert.False(await RecordAsync(Contexts, "email", id));
        Assert.Equal(2, await RowsAsync(id));
    }

    [Fact]
    public async Task Record_in_a_rolled_back_transaction_leaves_nothing_and_the_next_try_is_true()
    {
        var id = Guid.NewGuid();
        await using (var db = await Contexts.CreateDbContextAsync())
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            Assert.True(await db.TryRecordInboxAsync(Consumer, id, Now, CancellationToken.None));
            await tx.RollbackAsync();
        }

        Assert.Equal(0, await RowsAsync(id));
        Assert.True(await RecordAsync(Contexts, Consumer, id));
    }

    [Fact]
    public async Task Concurrent_record_of_the_same_message_waits_for_the_first_commit_and_is_false()
    {
        var id = Guid.NewGuid();
        await using var first = await Contexts.CreateDbContextAsync();
        await using var firstTx = await first.Database.BeginTransactionAsync();
        Assert.True(await first.TryRecordInboxAsync(Consumer, id, Now, CancellationToken.None));

        var second = Task.Run(() => RecordAsync(Contexts, Consumer, id));
        await Deadline.UntilAsync(async () => second.IsCompleted || await SomeoneWaitsForALockAsync(), Patience, "the second record to wait for the first");
        Assert.False(second.IsCompleted, "the second record finished while the first transaction was still open");
        await firstTx.CommitAsync();

        Assert.False(await second.WaitAsync(Patience));
        Assert.Equal(1, await RowsAsync(id));
    }

    [Fact]
    public async Task Concurrent_record_of_the_same_message_is_true_when_the_first_rolls_back()
    {
        var id = Guid.NewGuid();
        await using var first = await Contexts.CreateDbContextAsync();
        await using var firstTx = await first.Database.BeginTransactionAsync();
        Assert.True(await first.TryRecordInboxAsync(Consumer, id, Now, CancellationToken.None));

        var second = Task.Run(() => RecordAsync(Contexts, Consumer, id));
        await Deadline.UntilAsync(async () => second.IsCompleted || await SomeoneWaitsForALockAsync(), Patience, "the second record to wait for the first");
        Assert.False(second.IsCompleted, "the second record finished while the first transaction was still open");
        await firstTx.RollbackAsync();

        Assert.True(await second.WaitAsync(Patience));
        Assert.Equal(1, await RowsAsync(id));
    }

    [Fact]
    public async Task Of_eight_transactions_recording_one_message_at_once_exactly_one_is_true()
    {
        var id = Guid.NewGuid();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            return await RecordAsync(Contexts, Consumer, id);
        })).ToList();
        go.SetResult();

        var results = await Task.WhenAll(attempts).WaitAsync(Patience);

        Assert.Single(results, recorded => recorded);
        Assert.Equal(1, await RowsAsync(id));
    }

    [Fact]
    public async Task On_sqlite_the_first_record_is_true_and_the_next_false()
    {
        var file = Path.Combine(Path.GetTempPath(), $"inbox-{Guid.NewGuid():N}.db");
        try
        {
            await using var provider = await ProviderAsync(new Dictionary<string, string?>
            {
                ["Database:Provider"] = "Sqlite",
                ["ConnectionStrings:Sqlite"] = $"Data Source={file}",
            });
            var contexts = provider.GetRequiredService<IDbContextFactory<BookingDbContext>>();
            var id = Guid.NewGuid();

            Assert.True(await RecordAsync(contexts, Consumer, id));
            Assert.False(await RecordAsync(contexts, Consumer, id));
            Assert.True(await RecordAsync(contexts, "another", id));

            // The raw insert stores the id as EF Core does, so the entity query finds it.
            await using var db = await contexts.CreateDbContextAsync();
            var row = await db.Inbox.SingleAsync(i => i.Consumer == Consumer && i.MessageId == id);
            Assert.Equal(Now, row.ProcessedAt);
            // Stored in the format EF Core compares with, so the retention cleanup's ProcessedAt < cutoff sees it.
            Assert.Equal(2, await db.Inbox.CountAsync(i => i.ProcessedAt < Now.AddTicks(1) && i.ProcessedAt > Now.AddTicks(-1)));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
