using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Persistence;
using MassTransit;

namespace BookMyShow.Workers.Inventory.Ledger;

/// <summary>How a partition grants and ends holds (from Holds and Bookings options).</summary>
public sealed record HoldTerms(TimeSpan Ttl, TimeSpan ExpiringWarningBefore, TimeSpan ConfirmDeadline, int MaxSeatsPerUser = 10);

/// <summary>A message a batch sends when it commits: published, or sent to <see cref="Destination"/>.</summary>
public sealed record OutgoingMessage(Guid MessageId, object Message, Type Type, Uri? Destination = null);

/// <summary>A stored confirm answer to write (the request's key, read before the batch, and its answer).</summary>
public sealed record ConfirmAnswerRow(string UserId, string IdempotencyKey, int StatusCode, string ResponseBody);

/// <summary>
/// What one partition batch changed, collected by the ledgers' transitions (<see cref="ShowLedger"/>) and written by
/// the store in one round trip (ADR 0022). Seats and holds are the ledgers' own objects: their values when the batch
/// commits are what is written, however often the batch changed them. Holds created in the batch are inserted with
/// their final state; holds that existed before are updated.
/// </summary>
public sealed class PartitionChanges(DateTime now, HoldTerms terms)
{
    public DateTime Now { get; } = now;
    public HoldTerms Terms { get; } = terms;

    readonly Dictionary<(string ShowId, string SeatId), ShowSeat> _seats = [];
    readonly Dictionary<string, Hold> _newHolds = [];
    readonly Dictionary<string, Hold> _changedHolds = [];
    readonly HashSet<string> _endedHoldIds = [];
    readonly Dictionary<string, ShowLedger> _touchedShows = [];
    readonly List<HoldRequest> _requests = [];
    readonly List<Booking> _bookings = [];
    readonly List<ConfirmAnswerRow> _answers = [];
    readonly List<HoldPlaced> _placed = [];
    readonly List<HoldRejected> _rejected = [];
    readonly List<ExpiredBooking> _expired = [];
    readonly List<OutgoingMessage> _messages = [];

    public IEnumerable<ShowSeat> Seats => _seats.Values;
    public IEnumerable<Hold> NewHolds => _newHolds.Values;
    /// <summary>Holds that existed before the batch and changed in it (ended, protected, warned).</summary>
    public IEnumerable<Hold> ChangedHolds => _changedHolds.Values;
    /// <summary>Holds that existed before the batch and ended in it: their seat claims become inactive.</summary>
    public IEnumerable<string> EndedHoldIds => _endedHoldIds;
    public IEnumerable<ShowLedger> TouchedShows => _touchedShows.Values;
    public IReadOnlyList<HoldRequest> Requests => _requests;
    public IReadOnlyList<Booking> Bookings => _bookings;
    public IReadOnlyList<ConfirmAnswerRow> Answers => _answers;

    /// <summary>Whether the batch has anything to write (announcing decisions made before writes nothing).</summary>
    public bool HasWrites => _seats.Count > 0 || _newHolds.Count > 0 || _changedHolds.Count > 0 || _requests.Count > 0
                             || _bookings.Count > 0 || _answers.Count > 0 || _messages.Count > 0 || _expired.Count > 0;

    public int DecidedCount => _placed.Count + _rejected.Count;
    public int ExpiredCount => _expired.Count;

    internal void SeatChanged(ShowLedger show, ShowSeat seat)
    {
        _seats[(seat.ShowId, seat.SeatId)] = seat;
        Touch(show);
        seat.Version = show.Version;
    }

    internal void HoldCreated(Hold hold) => _newHolds[hold.Id] = hold;

    internal void HoldChanged(Hold hold)
    {
        if (!_newHolds.ContainsKey(hold.Id)) _changedHolds[hold.Id] = hold;
    }

    internal void HoldEnded(Hold hold)
    {
        if (_newHolds.ContainsKey(hold.Id)) return;
        _changedHolds[hold.Id] = hold;
        _endedHoldIds.Add(hold.Id);
    }

    void Touch(ShowLedger show)
    {
        // One new version per show and batch: readers compare versions, not count changes.
        if (_touchedShows.TryAdd(show.ShowId, show)) show.Version++;
    }

    internal void Decided(HoldRequest request) => _requests.Add(request);

    internal void Placed(HoldPlaced placed) => _placed.Add(placed);

    internal void Rejected(HoldRejected rejected) => _rejected.Add(rejected);

    /// <summary>
    /// A decision the database has already (made by this partition before, in a batch whose announcement may never
    /// have gone out): announced again with this batch's, nothing written.
    /// </summary>
    public void Reannounce(HoldPlaced placed) => _placed.Add(placed);

    /// <inheritdoc cref="Reannounce(HoldPlaced)"/>
    public void Reannounce(HoldRejected rejected) => _rejected.Add(rejected);

    internal void Expired(ExpiredBooking expired) => _expired.Add(expired);

    internal void BookingWritten(Booking booking) => _bookings.Add(booking);

    internal void Answered(ConfirmAnswerRow answer) => _answers.Add(answer);

    public void Publish<T>(T message) where T : class => _messages.Add(new OutgoingMessage(NewId.NextGuid(), message, typeof(T)));

    /// <summary>
    /// The batch's decisions as one <see cref="HoldsDecided"/> (ADR 0022), or null. Not written to the outbox: the
    /// decisions are in the requests' rows, and the messages that asked for them are acknowledged only once it was sent,
    /// so a batch that dies before sending it is asked again and announces them again from the database.
    /// </summary>
    public OutgoingMessage? Decisions() => _placed.Count + _rejected.Count == 0
        ? null
        : new OutgoingMessage(NewId.NextGuid(), new HoldsDecided { DecidedAt = new DateTimeOffset(Now, TimeSpan.Zero), Placed = _placed, Rejected = _rejected },
            typeof(HoldsDecided));

    /// <summary>
    /// Everything else the batch sends, through the outbox, in the order it happened, with its expiries as one
    /// <see cref="BookingsExpired"/> at the end (ADR 0017).
    /// </summary>
    public IReadOnlyList<OutgoingMessage> Outgoing()
    {
        var all = new List<OutgoingMessage>(_messages.Count + 1);
        all.AddRange(_messages);
        var at = new DateTimeOffset(Now, TimeSpan.Zero);
        if (_expired.Count > 0)
        {
            all.Add(new OutgoingMessage(NewId.NextGuid(), new BookingsExpired { ExpiredAt = at, Bookings = _expired }, typeof(BookingsExpired)));
        }
        return all;
    }
}
