using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Outbox;
using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Notifications;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BookMyShow.Gateway.Tests.Admission;

/// <summary>
/// A grant is one decision (ADR 0016) in its batch's one event (ADR 0022): the gateway turns it into the request's answer
/// and the user's booking.held.
/// </summary>
[Trait("Tier", "Fast")]
public sealed class GatewayEventsConsumerTests : IAsyncLifetime
{
    ServiceProvider _provider = null!;
    ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(new HoldOptions()));
        services.AddSingleton<DrainRates>();
        services.AddSingleton<WaitingRequests>();
        services.AddSingleton<OutcomeNotifier>();
        services.AddSingleton<UserEventHub>();
        services.AddMassTransitTestHarness(x => x.AddConsumer<GatewayEventsConsumer>());
        _provider = services.BuildServiceProvider(validateScopes: true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async Task DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }

    static HoldsDecided Decided(params HoldPlaced[] placed) => new() { DecidedAt = placed[0].DecidedAt, Placed = placed, Rejected = [] };

    static HoldPlaced Placed(string requestId, string holdId) => new()
    {
        RequestId = requestId, HoldId = holdId, ShowId = "s_1", UserId = "u_1", SeatIds = ["A1", "A2"], TotalPrice = 500m, Currency = "INR",
        ExpiresAt = new DateTimeOffset(2030, 1, 1, 12, 10, 0, TimeSpan.Zero), DecidedAt = new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task A_grant_answers_the_request_and_announces_the_booking_once_each()
    {
        var hub = _provider.GetRequiredService<UserEventHub>();
        var notifier = _provider.GetRequiredService<OutcomeNotifier>();
        using var stream = hub.Subscribe("u_1");
        var answered = notifier.Watch(OutcomeNotifier.ForRequest("r_1"));
        var messageId = NewId.NextGuid();

        await _harness.Bus.Publish(Decided(Placed("r_1", "h_1")), c => c.MessageId = messageId);

        var request = await stream.NextAsync();
        var booking = await stream.NextAsync();
        var decisionId = OutboxWriter.DerivedMessageId(messageId, "r_1");
        Assert.Equal(("hold_request.held", "r_1", "h_1", decisionId), (request.Type, request.RequestId, request.HoldId, request.EventId));
        Assert.Equal(("booking.held", (string?)null, "h_1"), (booking.Type, booking.RequestId, booking.HoldId));
        Assert.Equal(OutboxWriter.DerivedMessageId(decisionId, GatewayEventsConsumer.BookingHeldEvent), booking.EventId);
        Assert.Equal((500m, "INR", new DateTimeOffset(2030, 1, 1, 12, 10, 0, TimeSpan.Zero)), (booking.Amount, booking.Currency, booking.ExpiresAt));
        Assert.IsType<HoldPlaced>(await answered.WaitAsync(UserStreams.Patience));

        // A redelivery pushes nothing again; the next grant's events are the next ones the stream sees.
        await _harness.Bus.Publish(Decided(Placed("r_1", "h_1")), c => c.MessageId = messageId);
        await _harness.Bus.Publish(Decided(Placed("r_2", "h_2")));
        var next = await stream.NextAsync();
        Assert.Equal(("hold_request.held", "r_2"), (next.Type, next.RequestId));
        var nextBooking = await stream.NextAsync();
        Assert.Equal(("booking.held", "h_2"), (nextBooking.Type, nextBooking.HoldId));
    }
}
