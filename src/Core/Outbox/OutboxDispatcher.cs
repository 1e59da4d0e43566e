using System.Text.Json;
using BookMyShow.Core.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BookMyShow.Core.Outbox;

/// <summary>Configuration section "Outbox".</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";
    public int BatchSize { get; set; } = 200;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>
/// Publishes committed outbox rows and deletes them. On PostgreSQL rows are claimed with FOR UPDATE SKIP LOCKED, so
/// several dispatchers never send one row at the same time. Delivery is at least once: consumers are idempotent.
/// </summary>
public sealed class OutboxDispatcher(
    IDbContextFactory<BookingDbContext> contexts,
    IBus bus,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    static readonly Dictionary<string, Type> Types = typeof(Contracts.Holds.PlaceHold).Assembly.GetTypes()
        .Where(t => t.FullName is not null)
        .ToDictionary(t => t.FullName!, t => t);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sent = await DispatchBatchAsync(stoppingToken);
                failures = 0;
                if (sent < options.Value.BatchSize)
                {
                    await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(failures, 6))));
                logger.LogWarning(ex, "Outbox dispatch failed ({Failures} in a row); retrying in {Delay}", failures, delay);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    public async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var batch = options.Value.BatchSize;
        var rows = db.IsPostgres
            ? await db.Outbox.FromSqlInterpolated($"SELECT * FROM outbox_messages ORDER BY id LIMIT {batch} FOR UPDATE SKIP LOCKED").AsNoTracking().ToListAsync(ct)
            : await db.Outbox.OrderBy(o => o.Id).Take(batch).AsNoTracking().ToListAsync(ct);
        if (rows.Count == 0)
        {
            await tx.CommitAsync(ct);
            return 0;
        }

        var sends = new List<Task>(rows.Count);
        var ids = new List<long>(rows.Count);
        foreach (var row in rows)
        {
            if (!Types.TryGetValue(row.MessageType, out var type))
            {
                logger.LogError("Outbox row {Id} has unknown message type {Type}; it stays in the table", row.Id, row.MessageType);
                continue;
            }
            var message = JsonSerializer.Deserialize(row.Body, type, OutboxWriter.Json)!;
            var messageId = row.MessageId;
            ids.Add(row.Id);
            if (row.Destination is null)
            {
                sends.Add(bus.Publish(message, type, Pipe.Execute<PublishContext>(c => c.MessageId = messageId), ct));
            }
            else
            {
                var endpoint = await bus.GetSendEndpoint(new Uri(row.Destination));
                sends.Add(endpoint.Send(message, type, Pipe.Execute<SendContext>(c => c.MessageId = messageId), ct));
            }
        }
        await Task.WhenAll(sends);

        await db.Outbox.Where(o => ids.Contains(o.Id)).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        return rows.Count;
    }
}
