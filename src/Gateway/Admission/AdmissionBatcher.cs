using System.Threading.Channels;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using MassTransit;
using BookMyShow.Gateway.Extensions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BookMyShow.Gateway.Admission;

/// <summary>
/// Group commit for hold admissions. Requests that arrive while a group is being written wait for the next one; each
/// group costs one database statement (the requests recorded as QUEUED, and the positions counted), and one
/// PlaceHolds message per partition, confirmed by the broker — instead of all of that per request.
/// A request is answered (202) only after the message that carries it was confirmed by the broker (ADR 13).
/// Groups are recorded one at a time and their messages handed to the broker in that order (their confirms are awaited
/// side by side): a partition then sees this gateway's requests in admission order, and decides them in it (ADR 0022).
/// </summary>
public sealed class AdmissionBatcher(
    IServiceScopeFactory scopes,
    PartitionRouter router,
    WaitingRequests waiting,
    TimeProvider time,
    IOptions<GatewayOptions> options,
    ILogger<AdmissionBatcher> logger) : BackgroundService
{
    const int MaxGroup = 500;
    /// <summary>Most requests in one PlaceHolds message (one decision transaction at the partition).</summary>
    const int MaxPerMessage = 250;

    sealed record Pending(HoldRequest Request, TaskCompletionSource<AdmissionResult> Done);

    readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });

    public Task<AdmissionResult> AdmitAsync(string requestId, string showId, string userId, SeatAsk ask)
    {
        var request = new HoldRequest
        {
            Id = requestId, ShowId = showId, UserId = userId, SeatIds = SeatList.Join(ask.SeatIds), BestAvailable = BestAvailableText.Format(ask.BestAvailable),
            Status = RequestStatus.Queued, AdmittedAt = time.GetUtcNow().UtcDateTime,
        };
        var pending = new Pending(request, new TaskCompletionSource<AdmissionResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) pending.Done.SetException(new InvalidOperationException("The gateway is stopping."));
        return pending.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var confirming = new List<Task>();
        var group = new List<Pending>(MaxGroup);
        try
        {
            var window = options.Value.AdmissionWindow;
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                // The group stays open a moment for the requests right behind its first (Gateway:AdmissionWindow).
                if (window > TimeSpan.Zero) await Task.Delay(window, stoppingToken);
                while (group.Count < MaxGroup && _queue.Reader.TryRead(out var next)) group.Add(next);
                if (group.Count == 0) continue;
                // Recorded and handed over in order; the broker's confirms are awaited while the next group is recorded.
                confirming.RemoveAll(t => t.IsCompleted);
                confirming.Add(await AdmitGroupAsync([.. group]));
                group.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: whatever is left is answered as not admitted.
        }
        foreach (var left in group) left.Done.TrySetException(new OperationCanceledException("The gateway is stopping."));
        await Task.WhenAll(confirming);
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var left)) left.Done.TrySetException(new OperationCanceledException("The gateway is stopping."));
    }

    /// <summary>A row of <see cref="InsertStatement"/>.</summary>
    public sealed record Inserted(string Id, long Seq, int Ahead);

    /// <summary>
    /// Records the group as QUEUED, fills in each request's admission sequence number and returns the requests of the
    /// same show already waiting before the group's first one, by show. On PostgreSQL one statement: an
    /// <c>INSERT … SELECT FROM unnest(…)</c> with arrays (for a group of hundreds a few milliseconds, where the change
    /// tracker's batched inserts cost a hundred or more) and, in the same round trip, one count per show.
    /// </summary>
    static async Task<Dictionary<string, int>> InsertAsync(BookingDbContext db, List<Pending> group)
    {
        var requests = group.Select(p => p.Request).ToList();
        if (!db.IsPostgres)
        {
            db.HoldRequests.AddRange(requests);
            await db.SaveChangesAsync(CancellationToken.None);
            var before = new Dictionary<string, int>();
            foreach (var show in requests.GroupBy(r => r.ShowId))
            {
                before[show.Key] = await HoldRequestViews.PositionAsync(db, show.Key, show.Min(r => r.Seq), CancellationToken.None);
            }
            return before;
        }
        var inserted = await db.Database.SqlQuery<Inserted>(InsertStatement(requests)).ToListAsync(CancellationToken.None);
        var rows = inserted.ToDictionary(r => r.Id);
        foreach (var request in requests) request.Seq = rows[request.Id].Seq;
        return requests.GroupBy(r => r.ShowId).ToDictionary(g => g.Key, g => rows[g.First().Id].Ahead);
    }

    /// <summary>
    /// PostgreSQL's admission statement for <paramref name="requests"/>: inserts them as QUEUED and returns, per request,
    /// its sequence number and the requests of its show waiting before the group's first one (column "Ahead").
    /// </summary>
    public static FormattableString InsertStatement(IReadOnlyList<HoldRequest> requests)
    {
        var ids = requests.Select(r => r.Id).ToArray();
        var shows = requests.Select(r => r.ShowId).ToArray();
        var users = requests.Select(r => r.UserId).ToArray();
        var seats = requests.Select(r => r.SeatIds).ToArray();
        var best = requests.Select(r => r.BestAvailable).ToArray();
        var admitted = requests.Select(r => DateTime.SpecifyKind(r.AdmittedAt, DateTimeKind.Utc)).ToArray();
        // The count reads the snapshot from before the insert: the group's own rows are not in it (nor would they
        // count: they come after the group's first). What HoldRequestViews.PositionAsync counts, once per show.
        return $"""
            WITH ins AS (
                INSERT INTO hold_requests (id, show_id, user_id, seat_ids, best_available, status, admitted_at)
                SELECT i, s, u, t, b, {RequestStatus.Queued}, a FROM unnest({ids}, {shows}, {users}, {seats}, {best}, {admitted}) AS x(i, s, u, t, b, a)
                RETURNING id, seq, show_id
            ),
            firsts AS (SELECT show_id, min(seq) AS first FROM ins GROUP BY show_id),
            -- MATERIALIZED: counted once per show. Inlined, the planner evaluated the count once per row of the join
            -- below, so a group of 500 counted everyone ahead 500 times (most of PostgreSQL's work in an on-sale).
            ahead AS MATERIALIZED (
                SELECT f.show_id, (SELECT count(*)::int FROM hold_requests h
                                   WHERE h.show_id = f.show_id AND h.status = {RequestStatus.Queued} AND h.seq < f.first) AS n
                FROM firsts f
            )
            SELECT ins.id AS "Id", ins.seq AS "Seq", ahead.n AS "Ahead" FROM ins JOIN ahead ON ahead.show_id = ins.show_id
            """;
    }

    /// <summary>
    /// Records the group and hands its messages to the broker; returns once they are handed over, with a task that
    /// answers each request when its message's confirm (or failure) is in.
    /// </summary>
    async Task<Task> AdmitGroupAsync(List<Pending> group)
    {
        var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BookingDbContext>();
        var sender = scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Dictionary<string, int> before;
        try
        {
            before = await InsertAsync(db, group);
        }
        catch (Exception ex)
        {
            // The database refused the group (it is down): nobody was admitted.
            foreach (var p in group) p.Done.TrySetException(ex);
            await scope.DisposeAsync();
            return Task.CompletedTask;
        }

        var written = clock.Elapsed;
        var positions = new Dictionary<string, int>();
        foreach (var show in group.GroupBy(p => p.Request.ShowId))
        {
            var ahead = before[show.Key];
            foreach (var p in show.OrderBy(p => p.Request.Seq)) positions[p.Request.Id] = ahead++;
        }

        // Known as waiting before the broker has it, so its decision event cannot arrive first.
        foreach (var p in group) waiting.Admitted(p.Request);
        // One message per partition (and per MaxPerMessage requests), in admission order: one publish and one confirm
        // for many requests. A request counts as handed over only when its own message was confirmed.
        var sends = new Dictionary<string, Task>(group.Count);
        foreach (var partition in group.GroupBy(p => router.Partitioning.PartitionOf(p.Request.ShowId)))
        {
            foreach (var chunk in partition.OrderBy(p => p.Request.Seq).Chunk(MaxPerMessage))
            {
                Task sent;
                try
                {
                    sent = router.SendToPartitionAsync(sender, partition.Key, new PlaceHolds { Requests = chunk.Select(p => p.Request.ToPlaceHold()).ToList() }, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    sent = Task.FromException(ex);
                }
                foreach (var p in chunk) sends[p.Request.Id] = sent;
            }
        }
        return AnswerAsync(group, sends, positions, scope, db, clock, written);
    }

    async Task AnswerAsync(List<Pending> group, Dictionary<string, Task> sends, Dictionary<string, int> positions, AsyncServiceScope scope, BookingDbContext db,
        System.Diagnostics.Stopwatch clock, TimeSpan written)
    {
        await using var _ = scope;
        try
        {
            await Task.WhenAll(sends.Values.Distinct());
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not hand some of {Count} hold requests to the broker", group.Count);
        }

        logger.LogDebug("Admission group of {Count}: database {Database:0.0} ms, broker {Broker:0.0} ms",
            group.Count, written.TotalMilliseconds, (clock.Elapsed - written).TotalMilliseconds);
        var failed = new List<string>();
        foreach (var p in group)
        {
            if (sends[p.Request.Id].IsCompletedSuccessfully) p.Done.TrySetResult(new AdmissionResult(AdmissionOutcome.Admitted, p.Request, positions[p.Request.Id]));
            else
            {
                failed.Add(p.Request.Id);
                waiting.Decided(p.Request.Id);
            }
        }
        if (failed.Count == 0) return;

        try
        {
            await HoldAdmission.RejectNotAdmittedAsync(db, failed, time.GetUtcNow().UtcDateTime);
        }
        finally
        {
            foreach (var p in group.Where(p => failed.Contains(p.Request.Id)))
            {
                p.Done.TrySetResult(new AdmissionResult(AdmissionOutcome.BrokerUnavailable, p.Request, 0));
            }
        }
    }
}
