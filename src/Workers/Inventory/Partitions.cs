using BookMyShow.Core.Bookings;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using BookMyShow.Workers.Inventory.Ledger;
using BookMyShow.Workers.Inventory.Store;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BookMyShow.Workers.Inventory;

/// <summary>
/// This process's <see cref="PartitionActor"/>s, one per partition, made when the partition's first message arrives
/// (only the active consumer of a partition queue gets messages, so a standby process never activates it).
/// </summary>
public sealed class Partitions(
    Partitioning partitioning,
    IPartitionStore store,
    IBus bus,
    IOptions<HoldOptions> holds,
    IOptions<BookingOptions> bookings,
    IOptions<MessagingOptions> messaging,
    TimeProvider time,
    ILoggerFactory logs) : IAsyncDisposable
{
    readonly PartitionActor?[] _actors = new PartitionActor?[partitioning.Count];
    readonly Lock _lock = new();

    public Partitioning Partitioning => partitioning;

    /// <summary>The actor of the show's partition.</summary>
    public PartitionActor Of(string showId) => For(partitioning.PartitionOf(showId));

    public PartitionActor For(int partition)
    {
        if (Volatile.Read(ref _actors[partition]) is { } existing) return existing;
        lock (_lock)
        {
            return _actors[partition] ??= Create(partition);
        }
    }

    /// <summary>The partitions this process has made so far (active or not).</summary>
    public IEnumerable<PartitionActor> Started => _actors.OfType<PartitionActor>();

    PartitionActor Create(int partition)
    {
        var settings = new PartitionSettings(
            new HoldTerms(holds.Value.Ttl, bookings.Value.ExpiringWarningBefore, bookings.Value.ConfirmDeadline, holds.Value.MaxSeatsPerUserPerShow),
            messaging.Value.PartitionBatchSize,
            holds.Value.ClockInterval);
        return new PartitionActor(partition, store, bus, showId => partitioning.PartitionOf(showId) == partition, settings, time,
            logs.CreateLogger($"{typeof(PartitionActor).FullName}.{partition:00}"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var actor in Started) await actor.DisposeAsync();
    }
}

public static class PartitionRegistration
{
    /// <summary>The partitions' actors and the store for the configured database (ADR 0022).</summary>
    public static IServiceCollection AddPartitions(this IServiceCollection services, IConfiguration configuration)
    {
        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddSingleton<IPartitionStore>(sp =>
        {
            var contexts = sp.GetRequiredService<IDbContextFactory<BookingDbContext>>();
            var time = sp.GetRequiredService<TimeProvider>();
            return database.Provider == DatabaseProvider.Postgres ? new PostgresPartitionStore(contexts, time) : new SqlitePartitionStore(contexts, time);
        });
        services.AddSingleton<Partitions>();
        return services;
    }
}
