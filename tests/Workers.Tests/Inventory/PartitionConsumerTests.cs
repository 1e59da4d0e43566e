using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Catalog;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using BookMyShow.TestInfrastructure;
using BookMyShow.Workers.Inventory;
using BookMyShow.Workers.Inventory.Store;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BookMyShow.Workers.Tests.Inventory;

/// <summary>The partition consumer on the in-memory test bus, writing to a real PostgreSQL database.</summary>
public sealed class PartitionConsumerTests : IAsyncLifetime
{
    const string ShowId = "s_test";
    const string OtherShowId = "s_other";
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    ServiceProvider _provider = null!;
    ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        var services = await TestServices.Shared;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(await services.CreateDatabaseSettingsAsync("workers")).Build();

        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton<TimeProvider>(_time);
        collection.AddOptions<HoldOptions>();
        collection.AddOptions<BookingOptions>();
        collection.AddOptions<MessagingOptions>();
        collection.AddSingleton(new Partitioning(16));
        collection.AddBookingDatabase(configuration);
        collection.AddPartitions(configuration);
        // As on a partition queue: one message at a time, in order, retried (PartitionConsumerDefinition).
        collection.AddMassTransitTestHarness(x => x.AddConsumer<PartitionConsumer, PartitionConsumerDefinition>());
        _provider = collection.BuildServiceProvider(validateScopes: true);

        await using (var db = await Contexts().CreateDbContextAsync())
        {
            await db.Database.EnsureCreatedAsync();
            await CatalogLoader.LoadAsync(db, TinyCatalog(_time.GetUtcNow()), CancellationToken.None);
        }
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async Task DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }

    IDbContextFactory<BookingDbContext> Contexts() => _provider.GetRequiredService<IDbContextFactory<BookingDbContext>>();

    static CatalogDocument TinyCatalog(DateTimeOffset now) => new()
    {
        Cities = [new CityDoc { CityId = "c_1", Name = "Testville" }],
        Movies = [new MovieDoc { MovieId = "m_1", Title = "Test Movie" }],
        Venues =
        [
            new VenueDoc
            {
                VenueId = "v_1", CityId = "c_1", Name = "Venue",
                Screens = [new ScreenDoc { ScreenId = "sc_1", Name = "Screen 1", Sections = [new SectionDoc { Name = "regular", Price = 250, Rows = ["A", "B"], SeatsPerRow = 5 }] }],
            },
        ],
        Shows =
        [
            new ShowDoc { ShowId = ShowId, MovieId = "m_1", ScreenId = "sc_1", StartsAt = now.AddDays(1), Currency = "INR" },
            new ShowDoc { ShowId = "s_started", MovieId = "m_1", ScreenId = "sc_1", StartsAt = now.AddMinutes(-5), Currency = "INR" },
            new ShowDoc { ShowId = OtherShowId, MovieId = "m_1", ScreenId = "sc_1", StartsAt = now.AddDays(1), Currency = "INR" },
        ],
    };

    Task<HoldRequest> PlaceAsync(string requestId, string userId, params string[] seats) => PlaceOnAsync(ShowId, requestId, userId, seats);

    async Task<HoldRequest> PlaceOnAsync(string showId, string requestId, string userId, params string[] seats)
    {
        await _harness.Bus.Publish(new PlaceHold { RequestId = requestId, ShowId = showId, UserId = userId, SeatIds = seats, AdmittedAt = _time.GetUtcNow() });
        return await DecidedAsync(requestId);
    }

    async Task<HoldRequest> DecidedAsync(string requestId) =>
        await Deadline.UntilAsync(async () =>
        {
            await using var db = await Contexts().CreateDbContextAsync();
            var request = await db.HoldRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId);
            return request is { Status: not RequestStatus.Queued } ? request : null;
        }, TimeSpan.FromSeconds(15), $"a decision for {requestId}");

    /// <summary>Messages the partitions published so far (they send after their commit: wait for them with <see cref="PublishedAsync{T}"/>).</summary>
    List<T> Published<T>() where T : class => _harness.Published.Select<T>().Select(p => p.Context.Message).ToList();

    async Task<List<T>> PublishedAsync<T>(Func<T, bool>? which = null, int atLeast = 1) where T : class =>
        await Deadline.UntilAsync(() =>
        {
            var found = Published<T>().Where(which ?? (_ => true)).ToList();
            return Task.FromResult(found.Count >= atLeast ? found : null);
        }, TimeSpan.FromSeconds(15), $"{atLeast} {typeof(T).Name}");

    int _settles;

    /// <summary>
    /// Sends a request for a seat that does not exist to each show's partition and waits for its rejection: a partition
    /// decides its messages in order and sends each batch's messages before the next batch's, so whatever the messages
    /// before it were going to publish has been published then. For assertions that something was not (or only once)
    /// published.
    /// </summary>
    async Task SettleAsync(params string[] showIds)
    {
        foreach (var showId in showIds.DefaultIfEmpty(ShowId))
        {
            var id = $"{SettlePrefix}{++_settles}";
            await _harness.Bus.Publish(new PlaceHold { RequestId = id, ShowId = showId, UserId = "u_settle", SeatIds = ["Z9"], AdmittedAt = _time.GetUtcNow() });
            await PublishedAsync<HoldsDecided>(d => d.Rejected.Any(r => r.RequestId == id));
        }
    }

    const string SettlePrefix = "r_settle_";

    List<HoldPlaced> Placed() => Published<HoldsDecided>().SelectMany(d => d.Placed).ToList();

    List<HoldRejected> Rejected() => Published<HoldsDecided>().SelectMany(d => d.Rejected).Where(r => !r.RequestId.StartsWith(SettlePrefix, StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Granted_hold_writes_seats_hold_request_and_event_together()
    {
        var request = await PlaceAsync("r_1", "u_1", "A1", "A2");

        Assert.Equal(RequestStatus.Held, request.Status);
        await using var db = await Contexts().CreateDbContextAsync();
        var hold = await db.Holds.SingleAsync();
        Assert.Equal(request.HoldId, hold.Id);
        Assert.Equal(HoldStatus.Active, hold.Status);
        Assert.Equal(500m, hold.TotalPrice);
        Assert.Equal(_time.GetUtcNow().UtcDateTime.AddMinutes(10), hold.ExpiresAt);
        var seats = await db.ShowSeats.Where(s => s.ShowId == ShowId && s.Status == SeatStatus.Held).OrderBy(s => s.SeatId).Select(s => s.SeatId).ToListAsync();
        Assert.Equal(["A1", "A2"], seats);
        var decided = Assert.Single(await PublishedAsync<HoldsDecided>());
        Assert.Equal((request.Id, request.HoldId), (Assert.Single(decided.Placed).RequestId, decided.Placed[0].HoldId));
        Assert.Empty(decided.Rejected);
    }

    [Fact]
    public async Task Redelivered_request_is_decided_once()
    {
        await PlaceAsync("r_dup", "u_1", "A1");
        await _harness.Bus.Publish(new PlaceHold { RequestId = "r_dup", ShowId = ShowId, UserId = "u_1", SeatIds = ["A1"], AdmittedAt = _time.GetUtcNow() });
        await Deadline.UntilAsync(() => Task.FromResult(_harness.Consumed.Select<PlaceHold>(x => x.Context.Message.RequestId == "r_dup").Count() >= 2),
            TimeSpan.FromSeconds(15), "the second delivery to be consumed");

        Assert.DoesNotContain(_harness.Consumed.Select<PlaceHold>(), x => x.Exception is not null);
        await using var db = await Contexts().CreateDbContextAsync();
        Assert.Equal(1, await db.Holds.CountAsync());
        await SettleAsync();
        Assert.Single(Placed());
        Assert.Empty(Rejected());
    }

    [Fact]
    public async Task Second_request_for_a_held_seat_is_rejected_and_changes_nothing()
    {
        await PlaceAsync("r_a", "u_1", "A1", "A2");
        var second = await PlaceAsync("r_b", "u_2", "A2", "A3");

        Assert.Equal(RequestStatus.Rejected, second.Status);
        Assert.Equal(RejectionReasons.SeatsUnavailable, second.Reason);
        Assert.Equal("A2", second.UnavailableSeatIds);
        await using var db = await Contexts().CreateDbContextAsync();
        var a3 = await db.ShowSeats.SingleAsync(s => s.ShowId == ShowId && s.SeatId == "A3");
        Assert.Equal(SeatStatus.Available, a3.Status);
        await PublishedAsync<HoldsDecided>(atLeast: 2);
        Assert.Equal("r_b", Assert.Single(Rejected()).RequestId);
    }

    [Fact]
    public async Task Lapsed_hold_is_expired_when_its_seat_is_requested_again()
    {
        var first = await PlaceAsync("r_old", "u_1", "A1", "A2");
        _time.Advance(TimeSpan.FromMinutes(10));

        var second = await PlaceAsync("r_new", "u_2", "A1");

        Assert.Equal(RequestStatus.Held, second.Status);
        await using var db = await Contexts().CreateDbContextAsync();
        Assert.Equal(HoldStatus.Expired, (await db.Holds.SingleAsync(h => h.Id == first.HoldId)).Status);
        Assert.Equal(SeatStatus.Available, (await db.ShowSeats.SingleAsync(s => s.ShowId == ShowId && s.SeatId == "A2")).Status);
        var activeClaims = await db.HoldSeats.Where(hs => hs.ShowId == ShowId && hs.SeatId == "A1" && hs.Active).ToListAsync();
        Assert.Equal(second.HoldId, Assert.Single(activeClaims).HoldId);
        await PublishedAsync<BookingsExpired>();
        await SettleAsync();
        Assert.Single(Published<BookingsExpired>());
        Assert.Empty(Published<HoldExpired>()); // nobody tried to pay: no saga to tell
    }

    [Fact]
    public async Task One_batch_can_take_both_seats_of_a_lapsed_hold_one_request_after_the_other()
    {
        // The first request ends the lapsed hold (both its seats, in the database); the second finds its seat free in
        // the batch's own copy of the seats, and its write must not trip over the version the ending gave the seat.
        var old = await PlaceAsync("r_lapsing", "u_1", "B1", "B2");
        _time.Advance(TimeSpan.FromMinutes(10));
        PlaceHold Request(string id, string user, string seat) =>
            new() { RequestId = id, ShowId = ShowId, UserId = user, SeatIds = [seat], AdmittedAt = _time.GetUtcNow() };
        await _harness.Bus.Publish(new PlaceHolds { Requests = [Request("r_takes_b1", "u_2", "B1"), Request("r_takes_b2", "u_3", "B2")] });

        var first = await DecidedAsync("r_takes_b1");
        var second = await DecidedAsync("r_takes_b2");

        Assert.Equal((RequestStatus.Held, RequestStatus.Held), (first.Status, second.Status));
        await using var db = await Contexts().CreateDbContextAsync();
        Assert.Equal(HoldStatus.Expired, (await db.Holds.SingleAsync(h => h.Id == old.HoldId)).Status);
        var seats = await db.ShowSeats.AsNoTracking().Where(s => s.ShowId == ShowId && (s.SeatId == "B1" || s.SeatId == "B2")).OrderBy(s => s.SeatId).ToListAsync();
        Assert.Equal([(SeatStatus.Held, first.HoldId), (SeatStatus.Held, second.HoldId)], seats.Select(s => (s.Status, s.HoldId)));
        Assert.Equal(seats[0].Version, seats[1].Version); // changed in the same batch: the map's version of that batch
        var claims = await db.HoldSeats.AsNoTracking().Where(hs => hs.ShowId == ShowId && hs.Active).OrderBy(hs => hs.SeatId).Select(hs => hs.HoldId).ToListAsync();
        Assert.Equal([first.HoldId!, second.HoldId!], claims);
    }

    [Fact]
    public async Task Owner_release_frees_the_seats_and_a_stranger_release_is_refused()
    {
        var held = await PlaceAsync("r_rel", "u_1", "B1", "B2");

        await _harness.Bus.Publish(new ReleaseHold { CommandId = "c_stranger", HoldId = held.HoldId!, ShowId = ShowId, UserId = "u_2" });
        await _harness.Bus.Publish(new ReleaseHold { CommandId = "c_owner", HoldId = held.HoldId!, ShowId = ShowId, UserId = "u_1" });
        await PublishedAsync<HoldReleased>();

        var refused = Assert.Single(await PublishedAsync<HoldReleaseRefused>());
        Assert.Equal(("c_stranger", "NOT_FOUND"), (refused.CommandId, refused.HoldStatus));
        await using var db = await Contexts().CreateDbContextAsync();
        Assert.Equal(HoldStatus.Released, (await db.Holds.SingleAsync(h => h.Id == held.HoldId)).Status);
        Assert.Equal(0, await db.ShowSeats.CountAsync(s => s.ShowId == ShowId && s.Status != SeatStatus.Available));
        Assert.Equal(0, await db.HoldSeats.CountAsync(hs => hs.Active));
    }

    [Fact]
    public async Task Expire_request_ends_only_holds_past_their_expiry()
    {
        var early = await PlaceAsync("r_early", "u_1", "A1");
        _time.Advance(TimeSpan.FromMinutes(5));
        var late = await PlaceAsync("r_late", "u_2", "A2");
        _time.Advance(TimeSpan.FromMinutes(5));

        await _harness.Bus.Publish(new ExpireHolds { ShowId = ShowId, HoldIds = [early.HoldId!, late.HoldId!] });
        await PublishedAsync<BookingsExpired>();
        await SettleAsync();

        await using var db = await Contexts().CreateDbContextAsync();
        Assert.Equal(HoldStatus.Expired, (await db.Holds.SingleAsync(h => h.Id == early.HoldId)).Status);
        Assert.Equal(HoldStatus.Active, (await db.Holds.SingleAsync(h => h.Id == late.HoldId)).Status);
        var announced = Assert.Single(Published<BookingsExpired>()).Bookings.Select(b => b.HoldId).ToList();
        Assert.Equal([early.HoldId!], announced);
        Assert.Empty(Published<HoldExpired>());
    }

    [Fact]
    public async Task The_clocks_ask_for_a_partition_expires_the_due_holds_of_each_show_named_and_only_those()
    {
        var named = await PlaceAsync("r_named", "u_1", "A1");
        var unnamed = await PlaceOnAsync(OtherShowId, "r_unnamed", "u_2", "B1", "B2");
        _time.Advance(TimeSpan.FromMinutes(10));
        var running = await PlaceAsync("r_running", "u_3", "A5");

        // The clock saw only the first; the partition ends every due hold of the shows it was asked about.
        await _harness.Bus.Publish(new ExpireDueHolds { ShowIds = [ShowId, OtherShowId], HoldIds = [named.HoldId!] });
        await Deadline.UntilAsync(() => Task.FromResult(Published<BookingsExpired>().SelectMany(e => e.Bookings).Count() >= 2), TimeSpan.FromSeconds(15), "both expiries");
        await SettleAsync(ShowId, OtherShowId);

        await using var db = await Contexts().CreateDbContextAsync();
        Assert.Equal(HoldStatus.Expired, (await db.Holds.SingleAsync(h => h.Id == named.HoldId)).Status);
        Assert.Equal(HoldStatus.Expired, (await db.Holds.SingleAsync(h => h.Id == unnamed.HoldId)).Status);
        Assert.Equal(HoldStatus.Active, (await db.Holds.SingleAsync(h => h.Id == running.HoldId)).Status);
        Assert.Equal(2, await db.ShowSeats.CountAsync(s => s.ShowId == OtherShowId && (s.SeatId == "B1" || s.SeatId == "B2") && s.Status == SeatStatus.Available));
        // One event per partition batch, listing its shows' holds, each with its show (the two shows' partitions may differ).
        var partitioning = new Partitioning(16);
        var announced = Published<BookingsExpired>();
        Assert.Equal(partitioning.PartitionOf(ShowId) == partitioning.PartitionOf(OtherShowId) ? 1 : 2, announced.Count);
        Assert.Equal(
            [(named.HoldId!, ShowId), (unnamed.HoldId!, OtherShowId)],
            announced.SelectMany(e => e.Bookings).Select(b => (b.HoldId, b.ShowId)).OrderBy(b => b.ShowId == OtherShowId ? 1 : 0).ToList());
    }

    [Fact]
    public async Task A_hold_someone_tried_to_pay_for_tells_its_saga_when_it_expires()
    {
        var paid = await PlaceAsync("r_paid", "u_1", "A3");
        var unpaid = await PlaceAsync("r_unpaid", "u_2", "A4");
        // The saga's first step: the seats are kept while the money moves (and the hold is marked as paid for).
        await _harness.Bus.Publish(new ProtectHoldForPayment { HoldId = paid.HoldId!, ShowId = ShowId, Until = _time.GetUtcNow().AddMinutes(10) });
        await Deadline.UntilAsync(() => Task.FromResult(_harness.Consumed.Select<ProtectHoldForPayment>().Any()), TimeSpan.FromSeconds(15), "the payment protection");
        _time.Advance(TimeSpan.FromMinutes(10)); // both past expiry, the paid one without grace left

        await _harness.Bus.Publish(new ExpireHolds { ShowId = ShowId, HoldIds = [paid.HoldId!, unpaid.HoldId!] });
        await PublishedAsync<BookingsExpired>();
        await SettleAsync();
        // Both announced in one event (ADR 0017).
        var announced = Assert.Single(Published<BookingsExpired>()).Bookings.Select(b => b.HoldId).Order().ToList();
        Assert.Equal(new[] { paid.HoldId!, unpaid.HoldId! }.Order(), announced);

        var toSaga = Assert.Single(Published<HoldExpired>());
        Assert.Equal(paid.HoldId, toSaga.HoldId);
    }

    [Fact]
    public async Task Expiring_warning_goes_out_once_in_its_time_and_never_for_a_hold_being_paid()
    {
        var unpaid = await PlaceAsync("r_warn", "u_1", "B4");
        var paying = await PlaceAsync("r_paying", "u_2", "B5");
        await using (var db = await Contexts().CreateDbContextAsync())
        {
            var hold = await db.Holds.AsNoTracking().SingleAsync(h => h.Id == unpaid.HoldId);
            Assert.Equal(hold.ExpiresAt.AddMinutes(-2), hold.WarnAt); // Bookings:ExpiringWarningBefore, 2 min by default
        }
        await _harness.Bus.Publish(new ProtectHoldForPayment { HoldId = paying.HoldId!, ShowId = ShowId, Until = _time.GetUtcNow().AddMinutes(11) });
        await Deadline.UntilAsync(() => Task.FromResult(_harness.Consumed.Select<ProtectHoldForPayment>().Any()), TimeSpan.FromSeconds(15), "the payment protection");
        var holdIds = new[] { unpaid.HoldId!, paying.HoldId! };

        // Too early: nothing goes out.
        _time.Advance(TimeSpan.FromMinutes(7));
        await WarnAndWaitAsync(holdIds, 1);
        await SettleAsync();
        Assert.Empty(Published<HoldExpiring>());

        // In its time: the unpaid hold is warned, once however often asked; the one being paid is not.
        _time.Advance(TimeSpan.FromMinutes(1.5));
        await WarnAndWaitAsync(holdIds, 2);
        await WarnAndWaitAsync(holdIds, 3);
        await PublishedAsync<HoldExpiring>();
        await SettleAsync();
        var warning = Assert.Single(Published<HoldExpiring>());
        Assert.Equal(unpaid.HoldId, warning.HoldId);
        await using var after = await Contexts().CreateDbContextAsync();
        Assert.Null((await after.Holds.AsNoTracking().SingleAsync(h => h.Id == unpaid.HoldId)).WarnAt);
        Assert.NotNull((await after.Holds.AsNoTracking().SingleAsync(h => h.Id == paying.HoldId)).WarnAt);
    }

    async Task WarnAndWaitAsync(string[] holdIds, int consumedSoFar)
    {
        await _harness.Bus.Publish(new WarnExpiringHolds { ShowId = ShowId, HoldIds = holdIds });
        await Deadline.UntilAsync(() => Task.FromResult(_harness.Consumed.Select<WarnExpiringHolds>().Count() >= consumedSoFar),
            TimeSpan.FromSeconds(15), "the warning request to be consumed");
        Assert.DoesNotContain(_harness.Consumed.Select<WarnExpiringHolds>(), x => x.Exception is not null);
    }

    [Fact]
    public async Task A_batch_of_requests_for_one_seat_grants_the_first_in_arrival_order_and_rejects_the_rest()
    {
        var now = _time.GetUtcNow();
        var batch = Enumerable.Range(0, 20)
            .Select(i => new PlaceHold { RequestId = $"r_rush_{i:00}", ShowId = ShowId, UserId = $"u_{i}", SeatIds = i % 2 == 0 ? ["B1", "B2"] : ["B2"], AdmittedAt = now })
            .Append(new PlaceHold { RequestId = "r_rush_other_show_started", ShowId = "s_started", UserId = "u_x", SeatIds = ["B1"], AdmittedAt = now })
            .Append(new PlaceHold { RequestId = "r_rush_00", ShowId = ShowId, UserId = "u_0", SeatIds = ["B1", "B2"], AdmittedAt = now }) // a duplicate within the batch
            .Append(new PlaceHold { RequestId = "r_rush_b3", ShowId = ShowId, UserId = "u_b3", SeatIds = ["B3"], AdmittedAt = now })
            .ToList();

        await _harness.Bus.Publish(new PlaceHolds { Requests = batch });
        await DecidedAsync("r_rush_b3");
        await DecidedAsync("r_rush_other_show_started");

        await using var db = await Contexts().CreateDbContextAsync();
        var requests = await db.HoldRequests.AsNoTracking().ToDictionaryAsync(r => r.Id);
        Assert.Equal(RequestStatus.Held, requests["r_rush_00"].Status);
        Assert.Equal(RequestStatus.Held, requests["r_rush_b3"].Status);
        Assert.All(Enumerable.Range(1, 19), i => Assert.Equal(RequestStatus.Rejected, requests[$"r_rush_{i:00}"].Status));
        Assert.Equal(RejectionReasons.ShowNotOnSale, requests["r_rush_other_show_started"].Reason);
        Assert.Equal(2, await db.Holds.CountAsync());
        await SettleAsync();
        Assert.Equal(["r_rush_00", "r_rush_b3"], Placed().Select(p => p.RequestId).Order());
        // The show's batch decided its 22 requests in one event (the started show's request went to its own partition).
        var showBatch = Assert.Single(Published<HoldsDecided>(), d => d.Placed.Any(p => p.ShowId == ShowId));
        Assert.Equal(Enumerable.Range(1, 19).Select(i => $"r_rush_{i:00}"), showBatch.Rejected.Select(r => r.RequestId).Order());
        Assert.Equal(["B2"], showBatch.Rejected.Single(r => r.RequestId == "r_rush_01").UnavailableSeatIds);
        Assert.Equal(["r_rush_other_show_started"], Rejected().Where(r => r.ShowId == "s_started").Select(r => r.RequestId));
        var held = await db.ShowSeats.Where(s => s.Status == SeatStatus.Held).OrderBy(s => s.SeatId).Select(s => s.HoldId + ":" + s.SeatId).ToListAsync();
        Assert.Equal([$"{requests["r_rush_00"].HoldId}:B1", $"{requests["r_rush_00"].HoldId}:B2", $"{requests["r_rush_b3"].HoldId}:B3"], held);
    }

    [Fact]
    public async Task Requests_sent_one_after_another_on_the_bus_are_decided_in_arrival_order()
    {
        for (var i = 0; i < 30; i++)
        {
            await _harness.Bus.Publish(new PlaceHold { RequestId = $"r_line_{i:00}", ShowId = ShowId, UserId = $"u_{i}", SeatIds = ["A5"], AdmittedAt = _time.GetUtcNow() });
        }
        var last = await DecidedAsync("r_line_29");

        Assert.Equal(RequestStatus.Rejected, last.Status);
        await using var db = await Contexts().CreateDbContextAsync();
        var winner = await db.HoldRequests.AsNoTracking().SingleAsync(r => r.Status == RequestStatus.Held);
        Assert.Equal("r_line_00", winner.Id);
    }

    [Fact]
    public async Task A_gateway_group_in_one_message_is_decided_in_its_order()
    {
        PlaceHold Request(string id, string user, params string[] seats) =>
            new() { RequestId = id, ShowId = ShowId, UserId = user, SeatIds = seats, AdmittedAt = _time.GetUtcNow() };
        await _harness.Bus.Publish(new PlaceHolds
        {
            Requests = [Request("r_group_1", "u_1", "B1", "B2"), Request("r_group_2", "u_2", "B2", "B3"), Request("r_group_3", "u_3", "B3", "B4"), Request("r_started", "u_4", "B5") with { ShowId = "s_started" }],
        });

        var third = await DecidedAsync("r_group_3");
        var second = await DecidedAsync("r_group_2");
        var first = await DecidedAsync("r_group_1");
        var started = await DecidedAsync("r_started");

        Assert.Equal((RequestStatus.Held, RequestStatus.Rejected, RequestStatus.Held), (first.Status, second.Status, third.Status));
        Assert.Equal("B2", second.UnavailableSeatIds);
        Assert.Equal(RejectionReasons.ShowNotOnSale, started.Reason);
        await using var db = await Contexts().CreateDbContextAsync();
        var held = await db.ShowSeats.AsNoTracking().Where(s => s.ShowId == ShowId && s.Status == SeatStatus.Held).OrderBy(s => s.SeatId).Select(s => s.SeatId + ":" + s.UserId).ToListAsync();
        Assert.Equal(["B1:u_1", "B2:u_1", "B3:u_3", "B4:u_3"], held);
    }

    [Fact]
    public async Task Request_for_a_started_show_is_rejected()
    {
        await _harness.Bus.Publish(new PlaceHold { RequestId = "r_late_show", ShowId = "s_started", UserId = "u_1", SeatIds = ["A1"], AdmittedAt = _time.GetUtcNow() });
        var request = await DecidedAsync("r_late_show");

        Assert.Equal(RequestStatus.Rejected, request.Status);
        Assert.Equal(RejectionReasons.ShowNotOnSale, request.Reason);
    }

    [Fact]
    public async Task Database_refuses_a_second_active_hold_on_one_seat()
    {
        await PlaceAsync("r_c", "u_1", "A5");
        await using var db = await Contexts().CreateDbContextAsync();
        db.HoldSeats.Add(new HoldSeat { HoldId = "h_intruder", ShowId = ShowId, SeatId = "A5", Active = true });

        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Contains("ux_hold_seats_one_active_hold_per_seat", error.InnerException?.Message ?? "", StringComparison.Ordinal);
    }

    PlaceHold Request(string id, string user, params string[] seats) =>
        new() { RequestId = id, ShowId = ShowId, UserId = user, SeatIds = seats, AdmittedAt = _time.GetUtcNow() };

    /// <summary>The partitions of another worker process on the same database and bus (a consumer that takes over).</summary>
    Partitions AnotherProcess() => ActivatorUtilities.CreateInstance<Partitions>(_provider);

    [Fact]
    public async Task A_consumer_whose_partition_was_taken_over_cannot_commit_and_no_seat_is_held_twice()
    {
        // This process decides a request: the show is in its memory.
        await PlaceAsync("r_first", "u_1", "A1");
        var stale = _provider.GetRequiredService<Partitions>().Of(ShowId);
        Assert.True(stale.IsActive);

        // Another process becomes the partition's consumer (a broker failover) and grants A2 and A3.
        await using var other = AnotherProcess();
        await other.Of(ShowId).SubmitAsync(new PlaceWork([Request("r_taker", "u_2", "A2", "A3")]));

        // The first still runs with what it had in memory, where A2 is free: its write is refused and it lets go.
        await Assert.ThrowsAsync<PartitionFencedException>(() => stale.SubmitAsync(new PlaceWork([Request("r_stale", "u_3", "A2")])));
        Assert.False(stale.IsActive);
        await using (var db = await Contexts().CreateDbContextAsync())
        {
            Assert.Equal(RequestStatus.Held, (await db.HoldRequests.AsNoTracking().SingleAsync(r => r.Id == "r_taker")).Status);
            Assert.False(await db.HoldRequests.AnyAsync(r => r.Id == "r_stale" && r.Status != RequestStatus.Queued));
            Assert.Equal(3, await db.HoldSeats.CountAsync(hs => hs.Active));
        }

        // Handed the message again (a retry), it takes the partition back from the database's state, not its memory.
        await stale.SubmitAsync(new PlaceWork([Request("r_stale", "u_3", "A2")]) { Careful = true });
        var retried = await DecidedAsync("r_stale");
        Assert.Equal((RequestStatus.Rejected, "A2"), (retried.Status, retried.UnavailableSeatIds));
        await Assert.ThrowsAsync<PartitionFencedException>(() => other.Of(ShowId).SubmitAsync(new PlaceWork([Request("r_late", "u_4", "A4")])));
        await using var after = await Contexts().CreateDbContextAsync();
        Assert.Equal(0, await after.HoldSeats.GroupBy(hs => hs.SeatId).Where(g => g.Count(hs => hs.Active) > 1).CountAsync());
    }

    [Fact]
    public async Task A_request_the_database_has_decided_already_is_not_decided_again_and_its_batch_writes_nothing_twice()
    {
        // Decided by an earlier owner of the partition; this process has never seen it.
        await using (var db = await Contexts().CreateDbContextAsync())
        {
            db.HoldRequests.Add(new HoldRequest
            {
                Id = "r_done", ShowId = ShowId, UserId = "u_1", SeatIds = "A1", Status = RequestStatus.Rejected, Reason = RejectionReasons.SeatsUnavailable,
                AdmittedAt = _time.GetUtcNow().UtcDateTime, DecidedAt = _time.GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync();
        }

        // A copy arrives first time round (not marked as a redelivery) with a new request: the write notices, nothing
        // of it stays, and the retry decides the new request alone.
        await _harness.Bus.Publish(new PlaceHolds { Requests = [Request("r_done", "u_1", "A1"), Request("r_new", "u_2", "A2")] });
        var fresh = await DecidedAsync("r_new");

        Assert.Equal(RequestStatus.Held, fresh.Status);
        await using var after = await Contexts().CreateDbContextAsync();
        Assert.Equal(RequestStatus.Rejected, (await after.HoldRequests.AsNoTracking().SingleAsync(r => r.Id == "r_done")).Status);
        Assert.Equal([fresh.HoldId!], await after.Holds.Select(h => h.Id).ToListAsync());
        Assert.Equal(["A2"], await after.ShowSeats.Where(s => s.Status != SeatStatus.Available).Select(s => s.SeatId).ToListAsync());
        await SettleAsync();
        Assert.Equal(["r_new"], Placed().Select(p => p.RequestId));
        // The copy is not decided again; its stored decision is announced again (the retry is careful).
        Assert.Equal([("r_done", RejectionReasons.SeatsUnavailable)], Rejected().Select(r => (r.RequestId, r.Reason)));
    }

    [Fact]
    public async Task A_decision_whose_message_comes_back_is_announced_again_from_the_database_not_made_again()
    {
        var first = await PlaceAsync("r_again", "u_1", "A2", "A3");
        await PublishedAsync<HoldsDecided>(d => d.Placed.Any(p => p.RequestId == "r_again"));

        // The same message again, as a redelivery after a crash before its acknowledgement would come (careful work),
        // to a process that never saw it.
        await using var other = AnotherProcess();
        await other.Of(ShowId).SubmitAsync(new PlaceWork([Request("r_again", "u_1", "A2", "A3")]) { Careful = true });

        var announced = await PublishedAsync<HoldsDecided>(d => d.Placed.Any(p => p.RequestId == "r_again"), atLeast: 2);
        Assert.All(announced.SelectMany(d => d.Placed), p => Assert.Equal(first.HoldId, p.HoldId));
        await using var db = await Contexts().CreateDbContextAsync();
        Assert.Equal(1, await db.Holds.CountAsync());
    }

    [Fact]
    public async Task Holds_expire_by_the_partitions_own_clock_with_no_message_asking()
    {
        var first = await PlaceAsync("r_clock_1", "u_1", "A1");
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = await PlaceAsync("r_clock_2", "u_2", "A2");

        _time.Advance(TimeSpan.FromMinutes(9)); // the first is due, the second not yet

        var expired = await PublishedAsync<BookingsExpired>();
        Assert.Equal([first.HoldId!], expired.SelectMany(e => e.Bookings).Select(b => b.HoldId));
        await using var db = await Contexts().CreateDbContextAsync();
        var hold = await db.Holds.AsNoTracking().SingleAsync(h => h.Id == first.HoldId);
        Assert.Equal(HoldStatus.Expired, hold.Status);
        Assert.True(hold.EndedAt >= hold.ExpiresAt, "never early");
        Assert.Equal(HoldStatus.Active, (await db.Holds.AsNoTracking().SingleAsync(h => h.Id == second.HoldId)).Status);
        Assert.Equal(SeatStatus.Available, (await db.ShowSeats.AsNoTracking().SingleAsync(s => s.ShowId == ShowId && s.SeatId == "A1")).Status);
    }

    [Fact]
    public async Task A_partition_announces_its_changed_seat_maps_with_the_version_it_wrote()
    {
        var held = await PlaceAsync("r_map", "u_1", "A3", "A4");

        var map = (await PublishedAsync<SeatMapsChanged>(m => m.Maps.Any(x => x.ShowId == ShowId))).SelectMany(m => m.Maps).Last(x => x.ShowId == ShowId);

        var heldSeats = Assert.Single(map.Held);
        Assert.Equal(["A3", "A4"], heldSeats.SeatIds);
        Assert.Equal(_time.GetUtcNow().AddMinutes(10), heldSeats.Until);
        Assert.Empty(map.Confirmed);
        await using var db = await Contexts().CreateDbContextAsync();
        Assert.Equal(map.Version, await db.ShowSeats.Where(s => s.ShowId == ShowId).MaxAsync(s => s.Version)); // the newest seat carries the map's version
        Assert.NotNull(held.HoldId);
    }

    [Fact]
    public async Task The_partition_sends_its_own_messages_and_deletes_their_outbox_rows_which_the_dispatcher_leaves_alone_meanwhile()
    {
        var held = await PlaceAsync("r_out", "u_1", "B3");
        await _harness.Bus.Publish(new ReleaseHold { CommandId = "c_out", HoldId = held.HoldId!, ShowId = ShowId, UserId = "u_1" });
        var released = await PublishedAsync<BookingReleased>();
        var messageId = Assert.Single(_harness.Published.Select<BookingReleased>()).Context.MessageId!.Value;

        // Written with the batch, for a dispatcher to send only if this process died before sending it...
        await using (var db = await Contexts().CreateDbContextAsync())
        {
            var row = await db.Outbox.AsNoTracking().Where(o => o.MessageId == messageId).Select(o => o.DispatchAfter).ToListAsync();
            Assert.True(row.Count == 0 || row[0] > _time.GetUtcNow().UtcDateTime, "left to the dispatcher only later");
        }
        // ...and deleted once sent.
        await Deadline.UntilAsync(async () =>
        {
            await using var db = await Contexts().CreateDbContextAsync();
            return !await db.Outbox.AnyAsync(o => o.MessageId == messageId);
        }, TimeSpan.FromSeconds(15), "the sent message's outbox row to be deleted");
        Assert.Single(released);
        // A batch's decisions are not written to the outbox at all: their announcement is sent before its message is acknowledged.
        await using var after = await Contexts().CreateDbContextAsync();
        Assert.False(await after.Outbox.AnyAsync(o => o.MessageType == typeof(HoldsDecided).FullName));
    }
}
