using System.Text.Json;
using BookMyShow.Core.Messaging;
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
    /// <summary>
    /// The dispatcher's look without being woken: a commit that writes rows in this process wakes it at once (the saga's);
    /// a partition sends its own rows, so what the poll finds is another process's or an orphan (ADR 0022).
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);
    /// <summary>How long a batch's sends may wait for the broker; past it the batch counts as failed and is retried.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// Rounds one dispatcher runs at once on PostgreSQL (each claims other rows, SKIP LOCKED): a round waits for the
    /// broker's confirms, and rows committed meanwhile go out in another round instead of waiting for it. SQLite: one.
    /// </summary>
    public int Concurrency { get; set; } = 2;
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
    TimeProvider time,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    static readonly Dictionary<string, Type> Types = typeof(Contracts.Holds.PlaceHold).Assembly.GetTypes()
        .Where(t => t.FullName is not null)
        .ToDictionary(t => t.FullName!, t => t);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        bool postgres;
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken))
        {
            postgres = db.IsPostgres;
        }
        var rounds = postgres ? Math.Max(1, options.Value.Concurrency) : 1;
        await Task.WhenAll(Enumerable.Range(0, rounds).Select(_ => Task.Run(() => RunAsync(stoppingToken), CancellationToken.None)));
    }

    async Task RunAsync(CancellationToken stoppingToken)
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

    async Task<Task> SendAsync(OutboxMessage row, CancellationToken ct)
    {
        var (message, type) = Read(row);
        var messageId = row.MessageId;
        if (row.Destination is null)
        {
            return bus.Publish(message, type, Pipe.Execute<PublishContext>(c => c.MessageId = messageId), ct);
        }
        var endpoint = await bus.GetSendEndpoint(new Uri(row.Destination));
        return endpoint.Send(message, type, Pipe.Execute<SendContext>(c => c.MessageId = messageId), ct);
    }

    static (object Message, Type Type) Read(OutboxMessage row)
    {
        if (!Types.TryGetValue(row.MessageType, out var type)) throw new UnknownMessageTypeException();
        return (JsonSerializer.Deserialize(row.Body, type, OutboxWriter.Json)!, type);
    }

    sealed class UnknownMessageTypeException : Exception;

    public async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var batch = options.Value.BatchSize;
        var now = time.GetUtcNow().UtcDateTime;
        // Rows a partition sends itself after its commit wait for their dispatch_after (ADR 0022): only those left behind
        // by a partition that died before sending or deleting them are this dispatcher's.
        var rows = db.IsPostgres
            ? await db.Outbox.FromSqlInterpolated($"SELECT * FROM outbox_messages WHERE parked_at IS NULL AND (dispatch_after IS NULL OR dispatch_after <= {now}) ORDER BY id LIMIT {batch} FOR UPDATE SKIP LOCKED").AsNoTracking().ToListAsync(ct)
            : await db.Outbox.Where(o => o.ParkedAt == null && (o.DispatchAfter == null || o.DispatchAfter <= now)).OrderBy(o => o.Id).Take(batch).AsNoTracking().ToListAsync(ct);
        if (rows.Count == 0)
        {
            await tx.CommitAsync(ct);
            return 0;
        }

        var sends = new List<(long Id, Task Sent)>(rows.Count);
        var parked = new List<long>();
        // A send to a broker that went away can wait for it indefinitely, holding these rows' locks: bounded here, so the
        // batch fails, the confirmed rows are deleted and the rest is tried again.
        using var sendTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        sendTimeout.CancelAfter(options.Value.SendTimeout);
        foreach (var row in rows)
        {
            Task sent;
            try
            {
                sent = await SendAsync(row, sendTimeout.Token);
            }
            catch (UnknownMessageTypeException)
            {
                // Never sendable by this build (e.g. written by a newer one): set aside so it does not block the rows after it.
                logger.LogError("Outbox row {Id} has unknown message type {Type}; parked (parked_at set) for an operator", row.Id, row.MessageType);
                parked.Add(row.Id);
                continue;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                sent = Task.FromException(ex);
            }
            sends.Add((row.Id, sent));
        }
        try
        {
            await Task.WhenAll(sends.Select(s => s.Sent)).WaitAsync(sendTimeout.Token);
        }
        catch
        {
            // Some went out, some did not (the broker went away): forget the ones that did, so that they are not
            // sent again, and keep the rest for the next round. The dispatch loop backs off.
            var sent = sends.Where(s => s.Sent.IsCompletedSuccessfully).Select(s => s.Id).ToList();
            await db.Outbox.Where(o => sent.Contains(o.Id)).ExecuteDeleteAsync(CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
            throw;
        }

        var ids = sends.Select(s => s.Id).ToList();
        await db.Outbox.Where(o => ids.Contains(o.Id)).ExecuteDeleteAsync(ct);
        if (parked.Count > 0)
        {
            await db.Outbox.Where(o => parked.Contains(o.Id)).ExecuteUpdateAsync(u => u.SetProperty(o => o.ParkedAt, now), ct);
        }
        await tx.CommitAsync(ct);
        return rows.Count;
    }
}
