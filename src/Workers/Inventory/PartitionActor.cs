using System.Collections.Concurrent;
using System.Threading.Channels;
using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Persistence;
using BookMyShow.Workers.Inventory.Ledger;
using BookMyShow.Workers.Inventory.Store;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace BookMyShow.Workers.Inventory;

/// <summary>What a partition is set to do: how holds are granted, how big a batch gets, how often its clock looks.</summary>
public sealed record PartitionSettings(HoldTerms Terms, int MaxBatchRequests, TimeSpan ClockInterval);

/// <summary>
/// The single writer of one partition's shows in this process (ADR 0022). The partition's consumers hand it their
/// messages (<see cref="PartitionWork"/>); it takes whatever has arrived as one batch, applies it in arrival order to
/// the shows' <see cref="ShowLedger"/>s in memory (a show is read from the database once, when first needed), writes
/// the batch's changes and outgoing messages in one round trip (<see cref="IPartitionStore"/>), then sends the
/// messages itself and completes the work. Its own clock ends due holds and sends due warnings from memory.
/// <para>
/// Activation takes a new epoch for the partition; every write checks it, so a consumer that lost its single-active
/// status cannot commit (fencing). Any failed write drops everything in memory: the next batch activates again and
/// reads the shows afresh, so memory never holds what the database does not.
/// </para>
/// </summary>
public sealed class PartitionActor : IAsyncDisposable
{
    /// <summary>Most holds one batch ends by the clock (the rest go in the next batch, at once).</summary>
    const int MaxExpiriesPerBatch = 1000;
    /// <summary>Hold requests remembered as decided by this activation, so a copy is skipped without asking the database.</summary>
    const int RecentRequestCapacity = 200_000;
    /// <summary>Seat maps go out at most this often per partition (readers accept maps half a second old).</summary>
    static readonly TimeSpan SeatMapInterval = TimeSpan.FromMilliseconds(200);
    /// <summary>How long the outbox dispatcher leaves the rows of messages this partition sends itself (ADR 0022).</summary>
    static readonly TimeSpan OrphanAfter = TimeSpan.FromSeconds(10);

    readonly IPartitionStore _store;
    readonly IBus _bus;
    readonly Func<string, bool> _isOurs;
    readonly PartitionSettings _settings;
    readonly TimeProvider _time;
    readonly ILogger _logger;
    readonly string _owner;
    readonly Channel<PartitionWork> _inbox = Channel.CreateUnbounded<PartitionWork>(new UnboundedChannelOptions { SingleReader = true });
    readonly CancellationTokenSource _stopping = new();
    readonly ConcurrentQueue<Guid> _sent = new();
    readonly ITimer _clock;
    readonly DeliveryOrder _order;
    readonly Lock _startLock = new();
    Task? _loop;

    // Everything below belongs to the loop: one batch at a time.
    long? _epoch;
    ITimer? _housekeeping;
    readonly Dictionary<string, ShowLedger?> _shows = new(StringComparer.Ordinal);
    readonly PriorityQueue<HoldTimer, DateTime> _timers = new();
    readonly RecentSet _decided = new(RecentRequestCapacity);
    readonly HashSet<string> _dirtyMaps = new(StringComparer.Ordinal);
    DateTime _lastTimersAt = DateTime.MinValue;
    bool _timersBacklogged;
    long _lastMapsTicks;
    int _sending;
    long _lastWriteTicks;
    PartitionWork? _carried;

    public PartitionActor(int partition, IPartitionStore store, IBus bus, Func<string, bool> isOurs, PartitionSettings settings, TimeProvider time, ILogger logger)
    {
        Partition = partition;
        _store = store;
        _bus = bus;
        _isOurs = isOurs;
        _settings = settings;
        _time = time;
        _logger = logger;
        _owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        _clock = time.CreateTimer(_ => Post(Tick.Instance), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _order = new DeliveryOrder(Enqueue, TimeProvider.System);
    }

    public int Partition { get; }

    /// <summary>Whether this process owns the partition now (it activated and has not been fenced or failed since).</summary>
    public bool IsActive => Volatile.Read(ref _activeFlag) == 1;
    int _activeFlag;

    /// <summary>Hands a message's work to the partition; completes when the batch it joined has committed.</summary>
    public Task SubmitAsync(PartitionWork work)
    {
        EnsureRunning();
        if (work.Delivery is { } delivery) _order.Arrive(delivery, work);
        else Enqueue(work);
        return work.Done;
    }

    void Enqueue(PartitionWork work)
    {
        if (!_inbox.Writer.TryWrite(work)) work.Fail(new OperationCanceledException("The partition is stopping."));
    }

    void Post(PartitionWork work) => _inbox.Writer.TryWrite(work);

    void EnsureRunning()
    {
        if (_loop is not null) return;
        lock (_startLock)
        {
            _loop ??= Task.Run(RunAsync);
        }
    }

    async Task RunAsync()
    {
        var ct = _stopping.Token;
        var batch = new List<PartitionWork>();
        try
        {
            while (await _inbox.Reader.WaitToReadAsync(ct) || _carried is not null)
            {
                Take(batch);
                if (batch.Count == 0) continue;
                await RunBatchAsync(batch, ct);
                batch.Clear();
                await HousekeepAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
        _inbox.Writer.TryComplete();
        var stopped = new OperationCanceledException("The partition is stopping.");
        foreach (var work in batch) work.Fail(stopped);
        _carried?.Fail(stopped);
        while (_inbox.Reader.TryRead(out var left)) left.Fail(stopped);
    }

    /// <summary>What has arrived, in order, up to the batch limit; a work to be run alone is run alone.</summary>
    void Take(List<PartitionWork> batch)
    {
        var size = 0;
        if (_carried is { } carried)
        {
            _carried = null;
            batch.Add(carried);
            if (carried.Isolated) return;
            size += carried.Size;
        }
        while (size < _settings.MaxBatchRequests && _inbox.Reader.TryRead(out var work))
        {
            if (work is Tick && batch.Any(w => w is Tick)) continue;
            if (work.Isolated)
            {
                if (batch.Count == 0) batch.Add(work);
                else _carried = work;
                return;
            }
            batch.Add(work);
            size += work.Size;
        }
    }

    async Task RunBatchAsync(List<PartitionWork> batch, CancellationToken ct)
    {
        if (batch is [{ Isolated: true } alone])
        {
            await RunAloneAsync(alone, ct);
            return;
        }
        if (_epoch is null && batch.All(w => w is Tick))
        {
            // A nudge left over from before the partition stopped being ours (fenced or failed): it must not take it back.
            return;
        }
        Task announced;
        try
        {
            announced = await DecideAsync(batch, ct);
        }
        catch (Exception e)
        {
            Forget(e);
            foreach (var work in batch) work.Fail(e);
            return;
        }
        // Acknowledged once the batch's decisions were announced: a message whose announcement did not go out comes
        // back (a retry, or a redelivery to whoever has the partition then) and announces them again from the database.
        var works = batch.ToArray();
        _ = announced.ContinueWith(t =>
        {
            foreach (var work in works)
            {
                if (t.IsCompletedSuccessfully) work.Complete();
                else work.Fail(t.Exception?.GetBaseException() ?? new OperationCanceledException());
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// A message retried so often that it runs alone: each of its hold requests on its own, and a request that still
    /// cannot be decided is answered PROCESSING_FAILED, so every 202 gets its answer.
    /// </summary>
    async Task RunAloneAsync(PartitionWork work, CancellationToken ct)
    {
        try
        {
            if (work is PlaceWork place)
            {
                foreach (var request in place.Requests)
                {
                    try
                    {
                        await await DecideAsync([new PlaceWork([request]) { Careful = true }], ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        Forget(e);
                        _logger.LogError(e, "Hold request {RequestId} failed on its own too; rejecting it", request.RequestId);
                        await await DecideAsync([new FailedPlaceWork(request) { Careful = true }], ct);
                    }
                }
            }
            else
            {
                await await DecideAsync([work], ct);
            }
            work.Complete();
        }
        catch (Exception e)
        {
            Forget(e);
            work.Fail(e);
        }
    }

    /// <summary>
    /// Decides and writes a batch, sends its messages, and returns the announcement of its decisions (done once the
    /// broker has it; already done when there was none).
    /// </summary>
    async Task<Task> DecideAsync(List<PartitionWork> batch, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_epoch is null) await ActivateAsync(ct);
        // To the microsecond, as PostgreSQL stores it: a time announced from memory reads the same as the row says.
        var clock = _time.GetUtcNow().UtcDateTime;
        var now = new DateTime(clock.Ticks - clock.Ticks % 10, DateTimeKind.Utc);
        var due = DueTimers(now);
        await LoadShowsAsync(batch.SelectMany(w => w.ShowIds).Concat(due.Select(t => t.ShowId)), ct);
        var lookups = await LookUpAsync(batch, ct);
        var read = System.Diagnostics.Stopwatch.GetTimestamp();

        var changes = new PartitionChanges(now, _settings.Terms);
        if (due.Count > 0) _lastTimersAt = now;
        ApplyTimers(due, changes);
        foreach (var work in batch) Apply(work, lookups, changes);
        if (changes.HasWrites)
        {
            var outgoing = changes.Outgoing();
            var sent = Drain(_sent);
            var decided = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await _store.CommitAsync(Partition, _epoch!.Value, changes, outgoing, now + OrphanAfter, sent, ct);
            }
            catch
            {
                foreach (var id in sent) _sent.Enqueue(id);
                throw;
            }
            _lastWriteTicks = Environment.TickCount64;
            var written = System.Diagnostics.Stopwatch.GetTimestamp();
            Committed(changes);
            Send(outgoing);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("Partition {Partition} batch: {Works} works, {Decided} decided, {Expired} expired, {Messages} messages; read {Read:0.0} ms, decided {Deciding:0.0} ms, written {Written:0.0} ms, sent {Sent:0.0} ms; pool {Threads} threads, {Pending} queued",
                    Partition, batch.Count, changes.DecidedCount, changes.ExpiredCount, outgoing.Count,
                    System.Diagnostics.Stopwatch.GetElapsedTime(started, read).TotalMilliseconds, System.Diagnostics.Stopwatch.GetElapsedTime(read, decided).TotalMilliseconds,
                    System.Diagnostics.Stopwatch.GetElapsedTime(decided, written).TotalMilliseconds, System.Diagnostics.Stopwatch.GetElapsedTime(written).TotalMilliseconds,
                    ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount);
            }
        }
        ScheduleClock();
        return changes.Decisions() is { } decisions ? Announce(decisions) : Task.CompletedTask;
    }

    Task Announce(OutgoingMessage decisions)
    {
        try
        {
            return _bus.Publish(decisions.Message, decisions.Type, Pipe.Execute<PublishContext>(c => c.MessageId = decisions.MessageId));
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    async Task ActivateAsync(CancellationToken ct)
    {
        var epoch = await _store.ActivateAsync(Partition, _owner, ct);
        var timers = await _store.LoadTimersAsync(_isOurs, ct);
        foreach (var timer in timers) _timers.Enqueue(timer, timer.DueAt);
        _epoch = epoch;
        Volatile.Write(ref _activeFlag, 1);
        _housekeeping = TimeProvider.System.CreateTimer(_ => Post(Tick.Instance), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _logger.LogInformation("Partition {Partition} active in this process (epoch {Epoch}), {Timers} hold timers loaded", Partition, epoch, timers.Count);
    }

    /// <summary>After a failed batch: nothing in memory can be trusted to match the database, so all of it goes.</summary>
    void Forget(Exception error)
    {
        if (error is PartitionFencedException) _logger.LogWarning("{Message} Dropping the partition's state.", error.Message);
        else if (error is RequestAlreadyDecidedException) _logger.LogInformation("Partition {Partition}: {Message}", Partition, error.Message);
        else if (error is not OperationCanceledException) _logger.LogWarning(error, "Partition {Partition}: a batch failed; dropping the partition's state", Partition);
        _epoch = null;
        Volatile.Write(ref _activeFlag, 0);
        _housekeeping?.Dispose();
        _housekeeping = null;
        _clock.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _shows.Clear();
        _timers.Clear();
        _decided.Clear();
        _dirtyMaps.Clear();
    }

    async Task LoadShowsAsync(IEnumerable<string> showIds, CancellationToken ct)
    {
        foreach (var showId in showIds)
        {
            if (_shows.ContainsKey(showId)) continue;
            _shows[showId] = await _store.LoadShowAsync(showId, ct);
        }
    }

    ShowLedger? Show(string showId) => _shows.GetValueOrDefault(showId);

    /// <summary>What the batch needs from the database beyond the shows: only for copies of messages and rare messages.</summary>
    async Task<Lookups> LookUpAsync(IReadOnlyList<PartitionWork> batch, CancellationToken ct)
    {
        var lookups = new Lookups();
        var careful = batch.Where(w => w.Careful).SelectMany(w => w switch
        {
            PlaceWork p => p.Requests.Select(r => r.RequestId),
            FailedPlaceWork f => [f.Request.RequestId],
            _ => [],
        }).ToList();
        if (careful.Count > 0) lookups.Decided = await _store.DecidedRequestsAsync(careful, ct);
        foreach (var work in batch)
        {
            switch (work)
            {
                case ReleaseWork { Message: var m } when Show(m.ShowId) is { } show && !show.Knows(m.HoldId):
                    lookups.Holds[m.HoldId] = await _store.FindHoldAsync(m.HoldId, ct);
                    break;
                case ConfirmWork { Message: var m } when Show(m.ShowId) is { } show:
                    lookups.Confirms[(m.HoldId, m.AttemptId)] = await _store.ConfirmLookupAsync(m.HoldId, m.AttemptId, show.Knows(m.HoldId), ct);
                    break;
            }
        }
        return lookups;
    }

    void Apply(PartitionWork work, Lookups lookups, PartitionChanges changes)
    {
        switch (work)
        {
            case PlaceWork place:
                foreach (var m in place.Requests)
                {
                    if (Reannounced(m.RequestId, lookups, changes) || !_decided.Add(m.RequestId)) continue; // decided before
                    if (Show(m.ShowId) is { } show) show.Decide(m, changes);
                    else ShowLedger.RejectUnknownShow(m, changes);
                }
                break;
            case FailedPlaceWork failed:
                if (!Reannounced(failed.Request.RequestId, lookups, changes) && _decided.Add(failed.Request.RequestId)) ShowLedger.RejectAfterFailure(failed.Request, changes);
                break;
            case ReleaseWork { Message: var m }:
                if (Show(m.ShowId) is { } releasing) releasing.Release(m, lookups.Holds.GetValueOrDefault(m.HoldId), changes);
                else changes.Publish(new HoldReleaseRefused { CommandId = m.CommandId, HoldId = m.HoldId, ShowId = m.ShowId, HoldStatus = "NOT_FOUND" });
                break;
            case ExpireWork expire:
                foreach (var showId in expire.Shows.Distinct()) Show(showId)?.ExpireDue(changes, expire.IgnoreGrace ? expire.HoldIds : null);
                break;
            case WarnWork { Message: var m }:
                Show(m.ShowId)?.Warn(m.HoldIds, changes);
                break;
            case ProtectWork { Message: var m }:
                Show(m.ShowId)?.Protect(m, changes);
                break;
            case ConfirmWork { Message: var m }:
                if (Show(m.ShowId) is { } confirming) confirming.Confirm(m, lookups.Confirms[(m.HoldId, m.AttemptId)], changes);
                else changes.Publish(new SeatsConfirmRefused { HoldId = m.HoldId, ShowId = m.ShowId, AttemptId = m.AttemptId, PaymentIntentId = m.PaymentIntentId, HoldStatus = "NOT_FOUND" });
                break;
        }
    }

    /// <summary>
    /// A request the database has decided already comes again in careful work (its message was not acknowledged, so
    /// the announcement may not have gone out): its decision is announced again, not made again.
    /// </summary>
    bool Reannounced(string requestId, Lookups lookups, PartitionChanges changes)
    {
        if (!lookups.Decided.TryGetValue(requestId, out var decision)) return false;
        _decided.Add(requestId);
        if (decision is HoldPlaced placed) changes.Reannounce(placed);
        else changes.Reannounce((HoldRejected)decision);
        return true;
    }

    /// <summary>The clock's entries due now (at most a batch's worth), to be applied with the batch.</summary>
    List<HoldTimer> DueTimers(DateTime now)
    {
        var due = new List<HoldTimer>();
        while (due.Count < MaxExpiriesPerBatch && _timers.TryPeek(out var timer, out var at) && at <= now)
        {
            _timers.Dequeue();
            due.Add(timer);
        }
        _timersBacklogged = due.Count == MaxExpiriesPerBatch;
        return due;
    }

    void ApplyTimers(List<HoldTimer> due, PartitionChanges changes)
    {
        foreach (var timer in due)
        {
            if (Show(timer.ShowId) is not { } show || !show.ActiveHolds.TryGetValue(timer.HoldId, out var hold)) continue;
            if (timer.IsWarning)
            {
                show.Warn([timer.HoldId], changes);
            }
            else if (!show.ExpireIfDue(timer.HoldId, changes))
            {
                // A payment is in flight and keeps the seats a while longer: look again then.
                _timers.Enqueue(timer with { DueAt = hold.EffectiveExpiry }, hold.EffectiveExpiry);
            }
        }
    }

    /// <summary>What memory needs after a commit: the new holds' timers, and the seat maps to announce.</summary>
    void Committed(PartitionChanges changes)
    {
        foreach (var hold in changes.NewHolds.Where(h => h.Status == HoldStatus.Active))
        {
            _timers.Enqueue(new HoldTimer(hold.Id, hold.ShowId, hold.ExpiresAt, IsWarning: false), hold.ExpiresAt);
            if (hold.WarnAt is { } warnAt) _timers.Enqueue(new HoldTimer(hold.Id, hold.ShowId, warnAt, IsWarning: true), warnAt);
        }
        foreach (var show in changes.TouchedShows) _dirtyMaps.Add(show.ShowId);
    }

    /// <summary>
    /// Wakes the loop when the next timer is due, but not sooner than a clock interval after a batch last ended holds
    /// by the clock: holds granted over a few seconds come due one after the other, and each would otherwise cost a
    /// write of its own. A backlog (more due than one batch ends) is taken at once.
    /// </summary>
    void ScheduleClock()
    {
        if (_epoch is null || !_timers.TryPeek(out _, out var due)) return;
        var now = _time.GetUtcNow().UtcDateTime;
        var spaced = _lastTimersAt + _settings.ClockInterval;
        var wakeAt = _timersBacklogged || due >= spaced ? due : spaced;
        var wait = wakeAt - now;
        _clock.Change(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Sends the committed batch's messages; each one's outbox row is deleted with a later write once the broker has it.</summary>
    void Send(IReadOnlyList<OutgoingMessage> outgoing)
    {
        foreach (var message in outgoing)
        {
            var id = message.MessageId;
            Task sending;
            try
            {
                sending = message.Destination is null
                    ? _bus.Publish(message.Message, message.Type, Pipe.Execute<PublishContext>(c => c.MessageId = id))
                    : SendAsync(message);
            }
            catch (Exception e)
            {
                sending = Task.FromException(e);
            }
            Interlocked.Increment(ref _sending);
            sending.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully) _sent.Enqueue(id);
                else _logger.LogWarning(t.Exception?.GetBaseException(), "Partition {Partition}: message {MessageId} not sent; the outbox dispatcher will send it", Partition, id);
                Interlocked.Decrement(ref _sending); // after the enqueue: housekeeping sees one or the other
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    async Task SendAsync(OutgoingMessage message)
    {
        var endpoint = await _bus.GetSendEndpoint(message.Destination!);
        await endpoint.Send(message.Message, message.Type, Pipe.Execute<SendContext>(c => c.MessageId = message.MessageId));
    }

    /// <summary>Between batches: announces changed seat maps (at most every <see cref="SeatMapInterval"/>) and deletes sent rows when idle.</summary>
    async Task HousekeepAsync(CancellationToken ct)
    {
        if (_epoch is null) return;
        var ticks = Environment.TickCount64;
        if (_dirtyMaps.Count > 0 && ticks - _lastMapsTicks >= SeatMapInterval.TotalMilliseconds)
        {
            var maps = _dirtyMaps.Select(Show).OfType<ShowLedger>().Select(s => s.SeatMap()).ToList();
            _dirtyMaps.Clear();
            _lastMapsTicks = ticks;
            if (maps.Count > 0)
            {
                _ = _bus.Publish(new SeatMapsChanged { Maps = maps }, ct).ContinueWith(
                    t => _logger.LogDebug(t.Exception?.GetBaseException(), "Partition {Partition}: seat maps not announced", Partition),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
        if (!_sent.IsEmpty && ticks - _lastWriteTicks >= _settings.ClockInterval.TotalMilliseconds)
        {
            var sent = Drain(_sent);
            try
            {
                await _store.DeleteSentAsync(sent, ct);
                _lastWriteTicks = ticks;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                foreach (var id in sent) _sent.Enqueue(id);
                _logger.LogDebug(e, "Partition {Partition}: could not delete sent outbox rows yet", Partition);
            }
        }
        // Woken again only while something is left to do (an idle partition costs no wake-ups).
        if (_dirtyMaps.Count > 0 || !_sent.IsEmpty || Volatile.Read(ref _sending) > 0)
        {
            _housekeeping?.Change(_settings.ClockInterval < SeatMapInterval ? _settings.ClockInterval : SeatMapInterval, Timeout.InfiniteTimeSpan);
        }
    }

    static List<Guid> Drain(ConcurrentQueue<Guid> queue)
    {
        var all = new List<Guid>(queue.Count);
        while (queue.TryDequeue(out var id)) all.Add(id);
        return all;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null) await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _clock.Dispose();
        _order.Dispose();
        _housekeeping?.Dispose();
        _stopping.Dispose();
    }

    sealed class Lookups
    {
        /// <summary>Requests the database has decided already, as their announcements (only asked for careful work).</summary>
        public IReadOnlyDictionary<string, object> Decided { get; set; } = new Dictionary<string, object>();
        public Dictionary<string, Hold?> Holds { get; } = [];
        public Dictionary<(string HoldId, string AttemptId), ConfirmLookup> Confirms { get; } = [];
    }

    /// <summary>The clock's nudge: a batch that only looks at due timers and does the housekeeping.</summary>
    sealed class Tick : PartitionWork
    {
        public static readonly Tick Instance = new();
        public override IEnumerable<string> ShowIds => [];
        public override int Size => 0;
    }

    /// <summary>A request that could not be decided even alone: answered PROCESSING_FAILED, nothing else read or changed.</summary>
    sealed class FailedPlaceWork(PlaceHold request) : PartitionWork
    {
        public PlaceHold Request { get; } = request;
        public override IEnumerable<string> ShowIds => [];
    }
}

/// <summary>A bounded set of recent ids: the oldest are forgotten first.</summary>
sealed class RecentSet(int capacity)
{
    readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    readonly Queue<string> _order = new();

    /// <summary>Adds the id; false when it was there already.</summary>
    public bool Add(string id)
    {
        if (!_ids.Add(id)) return false;
        _order.Enqueue(id);
        while (_ids.Count > capacity && _order.TryDequeue(out var oldest)) _ids.Remove(oldest);
        return true;
    }

    public void Clear()
    {
        _ids.Clear();
        _order.Clear();
    }
}
