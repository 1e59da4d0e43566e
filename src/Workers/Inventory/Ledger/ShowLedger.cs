using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Persistence;
using MassTransit;

namespace BookMyShow.Workers.Inventory.Ledger;

/// <summary>A hold that ended while its show was in memory, with the payment its booking was made with.</summary>
public sealed record EndedHold(Hold Hold, string? PaymentIntentId);

/// <summary>What a confirmation needs from the database besides the ledger: read before the batch decides (rare path).</summary>
public sealed record ConfirmLookup(ConfirmRequest? Request, Hold? StoredHold, Booking? StoredBooking);

/// <summary>
/// One show's seats and active holds, kept in memory by the partition that owns the show (ADR 0022), and the one
/// place its seat transitions happen: grant, release, expire, protect for payment, confirm, warn. Each transition
/// changes the seats and holds here and records what to write and announce in the batch's
/// <see cref="PartitionChanges"/>; nothing here reads or writes a database or a bus, so the rules are unit-tested as
/// they are. The partition applies messages one batch at a time, so nothing here is shared between threads.
/// </summary>
public sealed class ShowLedger
{
    /// <summary>Holds ended here that are remembered (for repeated releases and confirmations) before the oldest is forgotten.</summary>
    const int EndedCapacity = 20_000;

    readonly Dictionary<string, ShowSeat> _seats;
    readonly Dictionary<string, Hold> _holds;
    readonly Dictionary<string, EndedHold> _ended = [];
    readonly Dictionary<string, HashSet<string>> _holdsByUser = new(StringComparer.Ordinal);
    readonly Dictionary<string, int> _bookedByUser = new(StringComparer.Ordinal);
    readonly Queue<string> _endedOrder = new();

    public ShowLedger(Show show, IEnumerable<ShowSeat> seats, IEnumerable<Hold> activeHolds)
    {
        ShowId = show.Id;
        StartsAt = show.StartsAt;
        Currency = show.Currency;
        _seats = seats.ToDictionary(s => s.SeatId, StringComparer.Ordinal);
        Version = _seats.Count == 0 ? 0 : _seats.Values.Max(s => s.Version);
        _holds = activeHolds.ToDictionary(h => h.Id, StringComparer.Ordinal);
        MaxSeatsPerUser = show.MaxSeatsPerUser;
        foreach (var hold in _holds.Values) HoldsOf(hold.UserId).Add(hold.Id);
        foreach (var seat in _seats.Values.Where(s => s.Status == SeatStatus.Confirmed && s.UserId is not null))
        {
            _bookedByUser[seat.UserId!] = _bookedByUser.GetValueOrDefault(seat.UserId!) + 1;
        }
    }

    /// <summary>The show's own cap on seats per user, when the catalog sets one.</summary>
    public int? MaxSeatsPerUser { get; }

    HashSet<string> HoldsOf(string userId)
    {
        if (!_holdsByUser.TryGetValue(userId, out var holds)) _holdsByUser[userId] = holds = new HashSet<string>(StringComparer.Ordinal);
        return holds;
    }

    /// <summary>The seats a user holds (in holds still running) or has booked for this show.</summary>
    public int SeatsOf(string userId, DateTime now)
    {
        var seats = _bookedByUser.GetValueOrDefault(userId);
        if (_holdsByUser.TryGetValue(userId, out var holds))
        {
            foreach (var id in holds)
            {
                if (_holds.TryGetValue(id, out var hold) && hold.EffectiveExpiry > now) seats += SeatList.Split(hold.SeatIds).Count;
            }
        }
        return seats;
    }

    public string ShowId { get; }
    public DateTime StartsAt { get; }
    public string Currency { get; }

    /// <summary>The version of the seat map: one more for every batch that changed a seat (each seat changed carries it).</summary>
    public long Version { get; internal set; }

    public IReadOnlyDictionary<string, ShowSeat> Seats => _seats;
    public IReadOnlyDictionary<string, Hold> ActiveHolds => _holds;

    /// <summary>An active hold, or one that ended while the show was in memory.</summary>
    public bool Knows(string holdId) => _holds.ContainsKey(holdId) || _ended.ContainsKey(holdId);

    /// <summary>
    /// Decides a hold request, all or nothing, against the seats as the requests before it left them. A seat whose
    /// hold has lapsed counts as available; granting it ends that hold first. Returns the new hold when granted.
    /// </summary>
    public Hold? Decide(PlaceHold m, PartitionChanges changes)
    {
        var now = changes.Now;
        var request = new HoldRequest
        {
            Id = m.RequestId, ShowId = m.ShowId, UserId = m.UserId, SeatIds = SeatList.Join(m.SeatIds), Status = RequestStatus.Queued,
            AdmittedAt = m.AdmittedAt.UtcDateTime, BestAvailable = BestAvailableText.Format(m.BestAvailable),
        };
        if (StartsAt <= now)
        {
            Reject(request, m, RejectionReasons.ShowNotOnSale, m.SeatIds, changes);
            return null;
        }
        var requested = m.SeatIds.Distinct().ToList();
        if (m.BestAvailable is { } ask)
        {
            var (picked, refusal) = BestSeats.Pick(_seats, ask, now);
            if (refusal is not null)
            {
                Reject(request, m, refusal, [], changes);
                return null;
            }
            requested = [.. picked];
        }
        // One user's share of the show, decided here so that it holds however many requests they send at once.
        if (SeatsOf(m.UserId, now) + requested.Count > (MaxSeatsPerUser ?? changes.Terms.MaxSeatsPerUser))
        {
            Reject(request, m, RejectionReasons.SeatLimitReached, [], changes);
            return null;
        }
        var decision = HoldRules.Decide(requested, _seats, now);
        if (!decision.Granted)
        {
            Reject(request, m, RejectionReasons.SeatsUnavailable, decision.UnavailableSeatIds, changes);
            return null;
        }
        foreach (var lapsed in decision.LapsedHoldIds)
        {
            if (_holds.TryGetValue(lapsed, out var hold)) End(hold, HoldStatus.Expired, changes);
        }
        return Grant(request, requested, changes);
    }

    /// <summary>A request that cannot be decided against this show (it does not exist): rejected as not on sale.</summary>
    public static void RejectUnknownShow(PlaceHold m, PartitionChanges changes)
    {
        var request = new HoldRequest
        {
            Id = m.RequestId, ShowId = m.ShowId, UserId = m.UserId, SeatIds = SeatList.Join(m.SeatIds), Status = RequestStatus.Queued,
            AdmittedAt = m.AdmittedAt.UtcDateTime,
        };
        Reject(request, m, RejectionReasons.ShowNotOnSale, m.SeatIds, changes);
    }

    /// <summary>A request whose decision kept failing: it still gets one final answer, and nothing else changes.</summary>
    public static void RejectAfterFailure(PlaceHold m, PartitionChanges changes)
    {
        var request = new HoldRequest
        {
            Id = m.RequestId, ShowId = m.ShowId, UserId = m.UserId, SeatIds = SeatList.Join(m.SeatIds), Status = RequestStatus.Queued,
            AdmittedAt = m.AdmittedAt.UtcDateTime,
        };
        Reject(request, m, RejectionReasons.ProcessingFailed, [], changes);
    }

    Hold Grant(HoldRequest request, List<string> seatIds, PartitionChanges changes)
    {
        var now = changes.Now;
        var holdId = "h_" + NewId.NextGuid().ToString("N");
        var expiresAt = now + changes.Terms.Ttl;
        // The hold-expiring warning, if the hold lasts longer than the warning comes before its end (ADR 0014).
        var warnAt = expiresAt - changes.Terms.ExpiringWarningBefore;
        var total = 0m;
        foreach (var id in seatIds)
        {
            var seat = _seats[id];
            total += seat.Price;
            seat.Status = SeatStatus.Held;
            seat.HoldId = holdId;
            seat.UserId = request.UserId;
            seat.ExpiresAt = expiresAt;
            seat.BookingId = null;
            changes.SeatChanged(this, seat);
        }
        var hold = new Hold
        {
            Id = holdId, ShowId = ShowId, UserId = request.UserId, RequestId = request.Id, SeatIds = SeatList.Join(seatIds),
            TotalPrice = total, Currency = Currency, CreatedAt = now, ExpiresAt = expiresAt, Status = HoldStatus.Active,
            WarnAt = warnAt > now ? warnAt : null,
        };
        _holds.Add(holdId, hold);
        HoldsOf(hold.UserId).Add(holdId);
        changes.HoldCreated(hold);
        request.Status = RequestStatus.Held;
        request.HoldId = holdId;
        request.DecidedAt = now;
        changes.Decided(request);
        // The grant's one announcement: the request's decision and the start of the user's booking (ADR 0016).
        changes.Placed(new HoldPlaced
        {
            RequestId = request.Id, HoldId = holdId, ShowId = ShowId, UserId = request.UserId, SeatIds = seatIds,
            ExpiresAt = new DateTimeOffset(expiresAt, TimeSpan.Zero), TotalPrice = total, Currency = Currency,
            DecidedAt = new DateTimeOffset(now, TimeSpan.Zero),
        });
        return hold;
    }

    static void Reject(HoldRequest request, PlaceHold m, string reason, IReadOnlyList<string> unavailable, PartitionChanges changes)
    {
        request.Status = RequestStatus.Rejected;
        request.Reason = reason;
        request.UnavailableSeatIds = SeatList.Join(unavailable);
        request.DecidedAt = changes.Now;
        changes.Decided(request);
        changes.Rejected(new HoldRejected
        {
            RequestId = request.Id, ShowId = m.ShowId, UserId = m.UserId, SeatIds = m.SeatIds, UnavailableSeatIds = unavailable,
            Reason = reason, DecidedAt = new DateTimeOffset(changes.Now, TimeSpan.Zero),
        });
    }

    /// <summary>
    /// Ends an active hold: its seats become available and the hold ends with <paramref name="status"/> (RELEASED or
    /// EXPIRED). With <paramref name="announce"/> the user's booking event goes out too (a <see cref="BookingReleased"/>,
    /// or the hold's place in the batch's one <see cref="BookingsExpired"/>); a confirmation refused after payment does
    /// not announce: the saga refunds and says so (ADR 0015).
    /// </summary>
    public void End(Hold hold, string status, PartitionChanges changes, string? commandId = null, bool announce = true)
    {
        var now = changes.Now;
        var seatIds = SeatList.Split(hold.SeatIds);
        FreeSeats(hold, seatIds, changes);
        _holds.Remove(hold.Id);
        HoldsOf(hold.UserId).Remove(hold.Id);
        hold.Status = status;
        hold.EndedAt = now;
        changes.HoldEnded(hold);
        Remember(hold, paymentIntentId: null);
        var at = new DateTimeOffset(now, TimeSpan.Zero);
        if (status == HoldStatus.Released)
        {
            changes.Publish(new HoldReleased { HoldId = hold.Id, ShowId = ShowId, UserId = hold.UserId, SeatIds = seatIds, CommandId = commandId, ReleasedAt = at });
            if (announce)
            {
                changes.Publish(new BookingReleased
                {
                    HoldId = hold.Id, ShowId = ShowId, UserId = hold.UserId, SeatIds = seatIds, Amount = hold.TotalPrice, Currency = hold.Currency, ReleasedAt = at,
                });
            }
            return;
        }
        // Only the booking saga listens, and a hold has one only once someone tried to pay (ADR 15). A payment that
        // starts as the hold expires is still safe without it: the partition refuses to confirm the expired hold and
        // the saga refunds.
        if (hold.PaymentAttempted)
        {
            changes.Publish(new HoldExpired
            {
                HoldId = hold.Id, ShowId = ShowId, UserId = hold.UserId, SeatIds = seatIds,
                ExpiresAt = new DateTimeOffset(hold.ExpiresAt, TimeSpan.Zero), ExpiredAt = at,
            });
        }
        if (announce)
        {
            changes.Expired(new ExpiredBooking { ShowId = ShowId, HoldId = hold.Id, UserId = hold.UserId, SeatIds = seatIds, Amount = hold.TotalPrice, Currency = hold.Currency });
        }
    }

    void FreeSeats(Hold hold, IReadOnlyList<string> seatIds, PartitionChanges changes)
    {
        foreach (var id in seatIds)
        {
            if (!_seats.TryGetValue(id, out var seat) || seat.HoldId != hold.Id || seat.Status != SeatStatus.Held) continue;
            seat.Status = SeatStatus.Available;
            seat.HoldId = null;
            seat.UserId = null;
            seat.ExpiresAt = null;
            changes.SeatChanged(this, seat);
        }
    }

    void Remember(Hold hold, string? paymentIntentId)
    {
        if (_ended.TryAdd(hold.Id, new EndedHold(hold, paymentIntentId))) _endedOrder.Enqueue(hold.Id);
        else _ended[hold.Id] = new EndedHold(hold, paymentIntentId);
        while (_ended.Count > EndedCapacity && _endedOrder.TryDequeue(out var oldest)) _ended.Remove(oldest);
    }

    /// <summary>Ends the hold if it is due now (past its expiry and any payment grace). Returns whether it ended.</summary>
    public bool ExpireIfDue(string holdId, PartitionChanges changes)
    {
        if (!_holds.TryGetValue(holdId, out var hold) || hold.EffectiveExpiry > changes.Now) return false;
        End(hold, HoldStatus.Expired, changes);
        return true;
    }

    /// <summary>
    /// Ends every hold of the show that is due, the longest overdue first; with <paramref name="ignoreGraceOf"/> also
    /// those holds once past their own expiry even within a payment grace (the saga decided they end now).
    /// </summary>
    public int ExpireDue(PartitionChanges changes, IReadOnlyCollection<string>? ignoreGraceOf = null)
    {
        var now = changes.Now;
        var due = _holds.Values
            .Where(h => h.EffectiveExpiry <= now || (ignoreGraceOf is not null && h.ExpiresAt <= now && ignoreGraceOf.Contains(h.Id)))
            .OrderBy(h => h.ExpiresAt)
            .ToList();
        foreach (var hold in due) End(hold, HoldStatus.Expired, changes);
        return due.Count;
    }

    /// <summary>
    /// The hold-expiring warning for those of the holds still active, unpaid (no payment in flight), not yet warned and
    /// within their warning time; each is warned once.
    /// </summary>
    public int Warn(IEnumerable<string> holdIds, PartitionChanges changes)
    {
        var now = changes.Now;
        var warned = 0;
        foreach (var id in holdIds)
        {
            if (!_holds.TryGetValue(id, out var hold) || !IsDueWarning(hold, now)) continue;
            hold.WarnAt = null;
            changes.HoldChanged(hold);
            changes.Publish(new HoldExpiring
            {
                HoldId = hold.Id, ShowId = ShowId, UserId = hold.UserId, SeatIds = SeatList.Split(hold.SeatIds),
                Amount = hold.TotalPrice, Currency = hold.Currency, ExpiresAt = new DateTimeOffset(hold.ExpiresAt, TimeSpan.Zero),
                WarnedAt = new DateTimeOffset(now, TimeSpan.Zero),
            });
            warned++;
        }
        return warned;
    }

    /// <summary>Whether a hold is due its warning now: active, unwarned, unpaid, its warning time come, not yet expired.</summary>
    public static bool IsDueWarning(Hold hold, DateTime now) =>
        hold.Status == HoldStatus.Active && hold.WarnAt is { } warnAt && warnAt <= now && hold.ExpiresAt > now && hold.PaymentGraceUntil is null;

    /// <summary>
    /// A payment is in flight: the hold's seats are kept until <see cref="ProtectHoldForPayment.Until"/> at most, even past
    /// its expiry (or the grace is given back when that time is the hold's own expiry). Only an active, running hold.
    /// </summary>
    public bool Protect(ProtectHoldForPayment m, PartitionChanges changes)
    {
        if (!_holds.TryGetValue(m.HoldId, out var hold) || hold.EffectiveExpiry <= changes.Now) return false;
        var until = m.Until.UtcDateTime;
        hold.PaymentAttempted = true;
        hold.PaymentGraceUntil = until > hold.ExpiresAt ? until : null;
        changes.HoldChanged(hold);
        foreach (var id in SeatList.Split(hold.SeatIds))
        {
            if (!_seats.TryGetValue(id, out var seat) || seat.HoldId != hold.Id || seat.Status != SeatStatus.Held) continue;
            seat.ExpiresAt = hold.EffectiveExpiry;
            changes.SeatChanged(this, seat);
        }
        return true;
    }

    /// <summary>
    /// The owner releases a hold: its seats are free again at once. A hold already released answers as the first time;
    /// a lapsed one is expired and the release refused; anything else (another user's, unknown, confirmed) refused.
    /// <paramref name="stored"/> is the hold as the database has it, for a hold this ledger does not know.
    /// </summary>
    public void Release(ReleaseHold m, Hold? stored, PartitionChanges changes)
    {
        var now = changes.Now;
        if (_holds.TryGetValue(m.HoldId, out var active))
        {
            if (active.UserId != m.UserId) Refuse("NOT_FOUND");
            else if (active.EffectiveExpiry > now) End(active, HoldStatus.Released, changes, m.CommandId);
            else
            {
                End(active, HoldStatus.Expired, changes);
                Refuse(HoldStatus.Expired);
            }
            return;
        }
        var hold = _ended.TryGetValue(m.HoldId, out var ended) ? ended.Hold : stored;
        if (hold is null || hold.UserId != m.UserId || hold.ShowId != m.ShowId) Refuse("NOT_FOUND");
        else if (hold.Status == HoldStatus.Released)
        {
            // Releasing twice answers like the first time.
            changes.Publish(new HoldReleased
            {
                HoldId = hold.Id, ShowId = hold.ShowId, UserId = hold.UserId, SeatIds = SeatList.Split(hold.SeatIds), CommandId = m.CommandId,
                ReleasedAt = new DateTimeOffset(hold.EndedAt ?? now, TimeSpan.Zero),
            });
        }
        else Refuse(hold.Status == HoldStatus.Active ? "NOT_FOUND" : hold.Status);

        void Refuse(string status) =>
            changes.Publish(new HoldReleaseRefused { CommandId = m.CommandId, HoldId = m.HoldId, ShowId = m.ShowId, HoldStatus = status });
    }

    /// <summary>
    /// After payment: the hold's seats become CONFIRMED and the booking is written with the confirm request's answer —
    /// only while the hold is active and within its time (grace included), and the payment not older than the confirm
    /// deadline. Otherwise refused (and the saga refunds). A hold already booked says so again.
    /// </summary>
    public void Confirm(ConfirmSeats m, ConfirmLookup lookup, PartitionChanges changes)
    {
        var now = changes.Now;
        var known = _ended.GetValueOrDefault(m.HoldId);
        if (known is { Hold.Status: HoldStatus.Confirmed, Hold.BookingId: { } bookingId })
        {
            changes.Publish(new SeatsConfirmed { HoldId = m.HoldId, ShowId = m.ShowId, BookingId = bookingId, PaymentIntentId = known.PaymentIntentId ?? m.PaymentIntentId });
            return;
        }
        if (known is null && !_holds.ContainsKey(m.HoldId) && lookup.StoredBooking is { } booked)
        {
            changes.Publish(new SeatsConfirmed { HoldId = m.HoldId, ShowId = m.ShowId, BookingId = booked.Id, PaymentIntentId = booked.PaymentIntentId });
            return;
        }
        if (_holds.TryGetValue(m.HoldId, out var hold))
        {
            if (m.PaidAt is { } paidAt && now - paidAt.UtcDateTime > changes.Terms.ConfirmDeadline)
            {
                // Too long since the money was taken (the database was down): give the seats back; the saga refunds.
                End(hold, HoldStatus.Released, changes, announce: false);
                Refuse(SeatsRefusal.DeadlinePassed);
                return;
            }
            if (hold.EffectiveExpiry <= now)
            {
                End(hold, HoldStatus.Expired, changes, announce: false);
                Refuse(HoldStatus.Expired);
                return;
            }
            Book(hold, m, lookup.Request, changes);
            return;
        }
        var ended = known?.Hold ?? lookup.StoredHold;
        Refuse(ended is null || ended.Status == HoldStatus.Active ? "NOT_FOUND" : ended.Status);

        void Refuse(string status) => changes.Publish(new SeatsConfirmRefused
        {
            HoldId = m.HoldId, ShowId = m.ShowId, AttemptId = m.AttemptId, PaymentIntentId = m.PaymentIntentId, HoldStatus = status,
        });
    }

    void Book(Hold hold, ConfirmSeats m, ConfirmRequest? request, PartitionChanges changes)
    {
        var now = changes.Now;
        var seatIds = SeatList.Split(hold.SeatIds);
        foreach (var id in seatIds)
        {
            if (!_seats.TryGetValue(id, out var seat) || seat.HoldId != hold.Id || seat.Status != SeatStatus.Held) continue;
            seat.Status = SeatStatus.Confirmed;
            seat.BookingId = m.BookingId;
            seat.ExpiresAt = null;
            changes.SeatChanged(this, seat);
        }
        _holds.Remove(hold.Id);
        HoldsOf(hold.UserId).Remove(hold.Id);
        _bookedByUser[hold.UserId] = _bookedByUser.GetValueOrDefault(hold.UserId) + seatIds.Count;
        hold.Status = HoldStatus.Confirmed;
        hold.EndedAt = now;
        hold.BookingId = m.BookingId;
        changes.HoldEnded(hold);
        Remember(hold, m.PaymentIntentId);
        var booking = new Booking
        {
            Id = m.BookingId, HoldId = hold.Id, ShowId = ShowId, UserId = hold.UserId, SeatIds = hold.SeatIds,
            PaymentIntentId = m.PaymentIntentId, TotalAmount = m.Amount, Currency = m.Currency, Status = BookingStatus.Confirmed, CreatedAt = now,
        };
        changes.BookingWritten(booking);
        if (request is { StatusCode: null })
        {
            request.StatusCode = 200; // answered: a second confirmation in the same batch does not answer again
            changes.Answered(new ConfirmAnswerRow(request.UserId, request.IdempotencyKey, 200, ConfirmAnswers.Serialize(ConfirmAnswers.Confirmed(booking))));
            changes.Publish(new ConfirmationAnswered { HoldId = hold.Id, AttemptId = request.AttemptId, StatusCode = 200 });
        }
        changes.Publish(new SeatsConfirmed { HoldId = hold.Id, ShowId = ShowId, BookingId = booking.Id, PaymentIntentId = m.PaymentIntentId });
        changes.Publish(new BookingConfirmed
        {
            BookingId = booking.Id, HoldId = hold.Id, ShowId = ShowId, UserId = hold.UserId, SeatIds = seatIds,
            Amount = m.Amount, Currency = m.Currency, PaymentIntentId = m.PaymentIntentId, ConfirmedAt = new DateTimeOffset(now, TimeSpan.Zero),
        });
    }

    /// <summary>The show's seat map as it stands: seats held (by the time their hold lapses) and confirmed.</summary>
    public ShowSeatMap SeatMap() => new()
    {
        ShowId = ShowId,
        Version = Version,
        Held = _holds.Values
            .Select(h => new HeldSeats
            {
                Until = new DateTimeOffset(h.EffectiveExpiry, TimeSpan.Zero),
                SeatIds = SeatList.Split(h.SeatIds).Where(id => _seats.TryGetValue(id, out var s) && s.HoldId == h.Id && s.Status == SeatStatus.Held).ToList(),
            })
            .Where(h => h.SeatIds.Count > 0)
            .ToList(),
        Confirmed = _seats.Values.Where(s => s.Status == SeatStatus.Confirmed).Select(s => s.SeatId).ToList(),
    };
}
