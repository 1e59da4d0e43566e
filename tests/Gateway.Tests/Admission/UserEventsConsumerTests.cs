using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Outbox;
using BookMyShow.Gateway.Notifications;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Gateway.Tests.Admission;

/// <summary>An expiry is one event for many holds (ADR 0017): each owner's stream gets its own booking.expired, once.</summary>
[Trait("Tier", "Fast")]
public sealed class UserEventsConsumerTests : IAsyncLifetime
{
    ServiceProvider _provider = null!;
    ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<UserEventHub>();
        services.AddMassTransitTestHarness(x => x.AddConsumer<UserEventsConsumer>().Endpoint(e => e.ConcurrentMessageLimit = 1));
        _provider = services.BuildServiceProvider(validateScopes: true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async Task DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }

    static BookingsExpired Expiry(params (string HoldId, string UserId)[] holds) => new()
    {
        ExpiredAt = new DateTimeOffset(2030, 1, 1, 12, 10, 0, TimeSpan.Zero),
        Bookings = [.. holds.Select(h => new ExpiredBooking { ShowId = "s_1", HoldId = h.HoldId, UserId = h.UserId, SeatIds = ["A1"], Amount = 250m, Currency = "INR" })],
    };

    [Fact]
    public async Task Each_expired_hold_reaches_its_owner_alone_once_with_an_id_every_gateway_derives_alike()
    {
        var hub = _provider.GetRequiredService<UserEventHub>();
        using var asha = hub.Subscribe("u_asha");
        using var ravi = hub.Subscribe("u_ravi");
        var messageId = NewId.NextGuid();
        var expiry = Expiry(("h_1", "u_asha"), ("h_2", "u_ravi"), ("h_3", "u_asha"), ("h_4", "u_elsewhere"));

        await _harness.Bus.Publish(expiry, c => c.MessageId = messageId);

        var first = await asha.NextAsync();
        var second = await asha.NextAsync();
        var his = await ravi.NextAsync();
        Assert.Equal([("booking.expired", "h_1"), ("booking.expired", "h_3")], new[] { (first.Type, first.HoldId), (second.Type, second.HoldId) });
        Assert.Equal(("booking.expired", "h_2", "s_1", 250m), (his.Type, his.HoldId, his.ShowId, his.Amount));
        Assert.Equal(OutboxWriter.DerivedMessageId(messageId, UserEventsConsumer.ExpiredPurpose + "h_1"), first.EventId);
        Assert.NotEqual(first.EventId, second.EventId);

        // A redelivery pushes nothing again; the next expiry's event is the next one Asha sees.
        await _harness.Bus.Publish(expiry, c => c.MessageId = messageId);
        await _harness.Bus.Publish(Expiry(("h_5", "u_asha")));
        var next = await asha.NextAsync();
        Assert.Equal("h_5", next.HoldId);
        Assert.False(ravi.Events.TryRead(out _));
    }
}
