using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Inbox;
using BookMyShow.Core.Outbox;
using BookMyShow.Core.Persistence;
using BookMyShow.TestInfrastructure;
using BookMyShow.Workers.Analytics;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BookMyShow.Workers.Tests.Analytics;

/// <summary>The per-show totals consumer on the in-memory test bus, writing to a real PostgreSQL database.</summary>
public sealed class ShowStatsConsumerTests : IAsyncLifetime
{
    const string ShowId = "s_stats";
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    ServiceProvider _provider = null!;
    readonly DeliveryCounter _deliveries = new();
    ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        var services = await TestServices.Shared;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(await services.CreateDatabaseSettingsAsync("analytics")).Build();

        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton<TimeProvider>(_time);
        collection.AddBookingDatabase(configuration);
        // Many at once, as on the analytics queue (ConcurrentMessageLimit 8) and more.
        collection.AddMassTransitTestHarness(x => x.AddConsumer<ShowStatsConsumer, ShowStatsConsumerDefinition>().Endpoint(e => e.ConcurrentMessageLimit = 500));
        _provider = collection.BuildServiceProvider(validateScopes: true);

        await using (var db = await Contexts().CreateDbContextAsync())
        {
            await db.Database.EnsureCreatedAsync();
        }
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
        _harness.Bus.ConnectConsumeObserver(_deliveries);
    }

    public async Task DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }

    IDbContextFactory<BookingDbContext> Contexts() => _provider.GetRequiredService<IDbContextFactory<BookingDbContext>>();

    async Task<ShowStats?> StatsAsync(string showId = ShowId)
    {
        await using var db = await Contexts().CreateDbContextAsync();
        return await db.ShowStats.AsNoTracking().SingleOrDefaultAsync(s => s.ShowId == showId);
    }

    /// <summary>Waits until <paramref name="count"/> deliveries have been consumed, and checks none of them failed.</summary>
    async Task ConsumedAsync(int count)
    {
        await Deadline.UntilAsync(() => _deliveries.Finished >= count, Patience, $"{count} events to be consumed");
        Assert.Equal(count, _deliveries.Finished);
        Assert.Equal(0, _deliveries.Faulted);
    }

    /// <summary>
    /// Counts finished deliveries. The harness's own lists keep one entry per message id, so they cannot count
    /// redeliveries of one message.
    /// </summary>
    sealed class DeliveryCounter : IConsumeObserver
    {
        readonly Lock _lock = new();
        int _running;

        public int Finished { get { lock (_lock) return field; } private set; }
        public int Faulted { get { lock (_lock) return field; } private set; }
        /// <summary>The most deliveries in the consumer at one moment.</summary>
        public int MostAtOnce { get { lock (_lock) return field; } private set; }

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class
        {
            lock (_lock) MostAtOnce = Math.Max(MostAtOnce, ++_running);
            return Task.CompletedTask;
        }

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            lock (_lock)
            {
                _running--;
                Finished++;
            }
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
        {
            lock (_lock)
            {
                _running--;
                Finished++;
                Faulted++;
            }
            return Task.CompletedTask;
        }
    }

    static List<string> Seats(int count) => Enumerable.Range(1, count).Select(i => $"A{i}").ToList();

    /// <summary>A partition batch that granted one hold (ADR 0022).</summary>
    static HoldsDecided Held(string holdId, int seats, decimal amount, string showId = ShowId) => new()
    {
        DecidedAt = DateTimeOffset.UnixEpoch,
        Placed =
        [
            new HoldPlaced
            {
                RequestId = $"r_{holdId}", HoldId = holdId, ShowId = showId, UserId = "u_1", SeatIds = Seats(seats), TotalPrice = amount, Currency = "INR",
                ExpiresAt = DateTimeOffset.UnixEpoch, DecidedAt = DateTimeOffset.UnixEpoch,
            },
        ],
        Rejected = [],
    };

    static BookingConfirmed Confirmed(string holdId, int seats, decimal amount) => new()
    {
        BookingId = $"b_{holdId}", HoldId = holdId, ShowId = ShowId, UserId = "u_1", SeatIds = Seats(seats), Amount = amount, Currency = "INR",
        PaymentIntentId = $"pi_{holdId}", ConfirmedAt = DateTimeOffset.UnixEpoch,
    };

    static BookingRefunded Refunded(string holdId, int seats, decimal amount, string? bookingId) => new()
    {
        HoldId = holdId, BookingId = bookingId, ShowId = ShowId, UserId = "u_1", SeatIds = Seats(seats), Amount = amount, Currency = "INR",
        PaymentIntentId = $"pi_{holdId}", RefundId = $"re_{holdId}_{bookingId}", RefundedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public async Task Each_booking_event_changes_the_totals_it_stands_for()
    {
        await _harness.Bus.Publish(Held("h_1", seats: 3, amount: 750m));
        await _harness.Bus.Publish(Held("h_2", seats: 2, amount: 500m));
        await _harness.Bus.Publish(Held("h_3", seats: 1, amount: 250m));
        await _harness.Bus.Publish(Held("h_9", seats: 4, amount: 1000m, showId: "s_other"));
        await _harness.Bus.Publish(Confirmed("h_1", seats: 3, amount: 750m));
        await _harness.Bus.Publish(new BookingReleased
        {
            HoldId = "h_2", ShowId = ShowId, UserId = "u_1", SeatIds = Seats(2), Amount = 500m, Currency = "INR", ReleasedAt = DateTimeOffset.UnixEpoch,
        });
        await _harness.Bus.Publish(new BookingsExpired
        {
            ExpiredAt = DateTimeOffset.UnixEpoch,
            Bookings = [new ExpiredBooking { ShowId = ShowId, HoldId = "h_3", UserId = "u_1", SeatIds = Seats(1), Amount = 250m, Currency = "INR" }],
        });
        // Paid too late for an expired hold: the seats count as refunded.
        await _harness.Bus.Publish(Refunded("h_3", seats: 1, amount: 250m, bookingId: null));
        // A duplicate charge of a booking that stands: only the money counts.
        await _harness.Bus.Publish(Refunded("h_1", seats: 3, amount: 750m, bookingId: "b_h_1"));

        await ConsumedAsync(9);

        var stats = await StatsAsync();
        Assert.NotNull(stats);
        Assert.Equal(
            new { Holds = 3, HeldSeats = 6, Bookings = 1, ConfirmedSeats = 3, ReleasedSeats = 2, ExpiredSeats = 1, Refunds = 2, RefundedSeats = 1 },
            new { stats.Holds, stats.HeldSeats, stats.Bookings, stats.ConfirmedSeats, stats.ReleasedSeats, stats.ExpiredSeats, stats.Refunds, stats.RefundedSeats });
        Assert.Equal(750m, stats.Revenue);
        Assert.Equal(1000m, stats.RefundedAmount);
        Assert.Equal("INR", stats.Currency);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, stats.UpdatedAt);
        var other = await StatsAsync("s_other");
        Assert.NotNull(other);
        Assert.Equal((1, 4, 0, 0m), (other.Holds, other.HeldSeats, other.Bookings, other.Revenue));
    }

    [Fact]
    public async Task Event_delivered_three_times_with_one_message_id_counts_once()
    {
        var messageId = NewId.NextGuid();
        var confirmed = Confirmed("h_dup", seats: 2, amount: 500m);

        for (var i = 0; i < 3; i++) await _harness.Bus.Publish(confirmed, ctx => ctx.MessageId = messageId);
        await ConsumedAsync(3);

        var stats = await StatsAsync();
        Assert.NotNull(stats);
        Assert.Equal((1, 2, 500m), (stats.Bookings, stats.ConfirmedSeats, stats.Revenue));
        await using var db = await Contexts().CreateDbContextAsync();
        Assert.Equal(messageId, (await db.Inbox.SingleAsync(i => i.Consumer == ShowStatsConsumer.InboxName)).MessageId);
    }

    [Fact]
    public async Task Expiry_of_two_shows_counts_for_each_show_and_once_when_delivered_twice()
    {
        var messageId = NewId.NextGuid();
        var expiry = new BookingsExpired
        {
            ExpiredAt = DateTimeOffset.UnixEpoch,
            Bookings =
            [
                new ExpiredBooking { ShowId = ShowId, HoldId = "h_1", UserId = "u_1", SeatIds = Seats(2), Amount = 500m, Currency = "INR" },
                new ExpiredBooking { ShowId = "s_other", HoldId = "h_2", UserId = "u_2", SeatIds = Seats(3), Amount = 750m, Currency = "INR" },
                new ExpiredBooking { ShowId = ShowId, HoldId = "h_3", UserId = "u_3", SeatIds = Seats(1), Amount = 250m, Currency = "INR" },
            ],
        };

        for (var i = 0; i < 2; i++) await _harness.Bus.Publish(expiry, ctx => ctx.MessageId = messageId);
        await ConsumedAsync(2);

        Assert.Equal(3, (await StatsAsync())?.ExpiredSeats);
        Assert.Equal(3, (await StatsAsync("s_other"))?.ExpiredSeats);
    }

    [Fact]
    public async Task Same_event_content_under_different_message_ids_counts_each_time()
    {
        var held = Held("h_same", seats: 2, amount: 500m);

        await _harness.Bus.Publish(held);
        await _harness.Bus.Publish(held);
        await ConsumedAsync(2);

        var stats = await StatsAsync();
        Assert.NotNull(stats);
        Assert.Equal((2, 4), (stats.Holds, stats.HeldSeats));
    }

    [Fact]
    public async Task Twenty_events_for_one_show_published_at_once_all_count()
    {
        const int count = 20;

        await Task.WhenAll(Enumerable.Range(0, count).Select(i => _harness.Bus.Publish(Confirmed($"h_{i}", seats: 2, amount: 100m + i))));
        await ConsumedAsync(count);

        var stats = await StatsAsync();
        Assert.NotNull(stats);
        Assert.Equal(count, stats.Bookings);
        Assert.Equal(2 * count, stats.ConfirmedSeats);
        Assert.Equal(Enumerable.Range(0, count).Sum(i => 100m + i), stats.Revenue);
        await using var db = await Contexts().CreateDbContextAsync();
        Assert.Equal(count, await db.Inbox.CountAsync(i => i.Consumer == ShowStatsConsumer.InboxName));
        // Otherwise the events were applied one after another and nothing was tested about concurrent updates.
        Assert.True(_deliveries.MostAtOnce > 1, $"at most {_deliveries.MostAtOnce} event was consumed at a time");
    }

    [Fact]
    public async Task Event_already_in_the_inbox_changes_nothing()
    {
        var messageId = NewId.NextGuid();
        await using (var db = await Contexts().CreateDbContextAsync())
        {
            // A batch's grants count per show, under an id derived from the message's and the show's.
            var counted = OutboxWriter.DerivedMessageId(messageId, ShowStatsConsumer.HeldPurpose + ShowId);
            Assert.True(await db.TryRecordInboxAsync(ShowStatsConsumer.InboxName, counted, _time.GetUtcNow().UtcDateTime, CancellationToken.None));
        }

        await _harness.Bus.Publish(Held("h_seen", seats: 1, amount: 250m), ctx => ctx.MessageId = messageId);
        await ConsumedAsync(1);

        Assert.Null(await StatsAsync());
    }
}
