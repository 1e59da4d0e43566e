using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using BookMyShow.Contracts.Payments;
using BookMyShow.Core.Bookings;
using BookMyShow.Core.Messaging;
using BookMyShow.Sagas.Booking;
using BookMyShow.Sagas.Booking.Activities;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BookMyShow.Sagas.Tests.Booking;

/// <summary>
/// The booking saga on MassTransit's test harness for one hold: in-memory transport and saga repository, a clock the
/// spec moves, the harness's own publish and send as the outbox, and recorded confirm answers. No database, no broker.
/// </summary>
public sealed class BookingSagaHarness : IAsyncDisposable
{
    public const string ShowId = "s_spec";
    public const string UserId = "u_spec";
    public const decimal Amount = 500m;
    public const string Currency = "INR";

    /// <summary>How long any one step may take before the spec fails; the steps themselves take milliseconds.</summary>
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static DateTimeOffset Start { get; } = new(2026, 3, 1, 18, 0, 0, TimeSpan.Zero);

    public static BookingOptions Options { get; } = new();

    readonly ServiceProvider _provider;

    readonly HandledMessages _handled = new();
    readonly Dictionary<Guid, int> _deliveries = [];

    BookingSagaHarness(ServiceProvider provider, FakeTimeProvider clock, RecordedConfirmAnswers answers, RecordedOutbox outbox)
    {
        _provider = provider;
        Clock = clock;
        Answers = answers;
        Outbox = outbox;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<BookingStateMachine, BookingState>();
        Router = provider.GetRequiredService<PartitionRouter>();
    }

    public FakeTimeProvider Clock { get; }

    public RecordedConfirmAnswers Answers { get; }

    public RecordedOutbox Outbox { get; }

    public ITestHarness Harness { get; }

    public ISagaStateMachineTestHarness<BookingStateMachine, BookingState> Saga { get; }

    public PartitionRouter Router { get; }

    public string HoldId { get; } = "h_" + Guid.NewGuid().ToString("N");

    public Guid CorrelationId => BookingState.CorrelationOf(HoldId);

    /// <summary>When the hold expires: ten minutes after the spec's start.</summary>
    public DateTimeOffset ExpiresAt => Start.AddMinutes(10);

    /// <summary>The queue of the show's partition.</summary>
    public string PartitionQueue => Router.Partitioning.QueueNameOf(ShowId);

    public static string PaymentsQueue => Options.PaymentsQueue;

    public static async Task<BookingSagaHarness> StartAsync()
    {
        var clock = new FakeTimeProvider(Start);
        var answers = new RecordedConfirmAnswers();
        var outbox = new RecordedOutbox();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(Options));
        services.AddSingleton(new PartitionRouter(new Partitioning(16), TransportKind.InMemory));
        services.AddSingleton<IBookingOutbox>(outbox);
        services.AddSingleton<IConfirmAnswerStore>(answers);
        services.AddBookingSagaActivities();
        services.AddMassTransitTestHarness(x =>
        {
            x.AddSagaStateMachine<BookingStateMachine, BookingState>().InMemoryRepository();
        });
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        var harness = new BookingSagaHarness(provider, clock, answers, outbox);
        harness.Harness.Bus.ConnectConsumeObserver(harness._handled);
        await harness.Harness.Start();
        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }

    /// <summary>
    /// Publishes <paramref name="message"/> and returns once it has been handled, failing if its handling failed. Give
    /// the id of a message delivered before to deliver it again, as a redelivery does.
    /// </summary>
    public async Task<Guid> DeliverAsync<T>(T message, Guid? messageId = null) where T : class
    {
        var id = messageId ?? NewId.NextGuid();
        var times = _deliveries[id] = _deliveries.GetValueOrDefault(id) + 1;
        await Harness.Bus.Publish(message, publish => publish.MessageId = id);
        Assert.Empty(await _handled.WaitAsync(id, times, Deadline));
        return id;
    }

    /// <summary>The saga of the spec's hold, as it stands after the messages delivered so far.</summary>
    public BookingState State => Saga.Sagas.Contains(CorrelationId) ?? throw new InvalidOperationException($"No saga for {HoldId}.");

    public bool SagaExists => Saga.Sagas.Contains(CorrelationId) is not null;

    /// <summary>The messages of type <typeparamref name="T"/> the saga sent, in order, with the queue each went to.</summary>
    public IReadOnlyList<(T Message, string? Queue)> Sent<T>() where T : class =>
        Outbox.All.Where(r => r.Destination is not null && r.Message is T).Select(r => ((T)r.Message, (string?)r.Destination!.AbsolutePath)).ToList();

    /// <summary>The events of type <typeparamref name="T"/> the saga published, in order, with their message ids.</summary>
    public IReadOnlyList<(T Message, Guid? MessageId)> Published<T>() where T : class =>
        Outbox.All.Where(r => r.Destination is null && r.Message is T).Select(r => ((T)r.Message, r.MessageId)).ToList();

    /// <summary>Moves the clock to <paramref name="offset"/> after the hold's expiry (negative: before it).</summary>
    public void SetClockToExpiry(TimeSpan offset) => Clock.SetUtcNow(ExpiresAt + offset);

    public ConfirmBooking Confirm(string attemptId, string paymentToken = "pm_card_visa") => new()
    {
        HoldId = HoldId, ShowId = ShowId, UserId = UserId, AttemptId = attemptId, PaymentToken = paymentToken, IdempotencyKey = "key-" + attemptId,
        SeatIds = ["A1", "A2"], Amount = Amount, Currency = Currency, ExpiresAt = ExpiresAt,
    };

    public PaymentSucceeded Succeeded(string attemptId, string paymentIntentId, DateTimeOffset? at = null) => new()
    {
        HoldId = HoldId, ShowId = ShowId, AttemptId = attemptId, PaymentIntentId = paymentIntentId, Amount = Amount, Currency = Currency,
        SucceededAt = at ?? Clock.GetUtcNow(),
    };

    public PaymentDeclined Declined(string attemptId, string code = "card_declined") => new()
    {
        HoldId = HoldId, ShowId = ShowId, AttemptId = attemptId, Code = code, Message = "Your card was declined.",
    };

    public PaymentFailed Failed(string attemptId) => new()
    {
        HoldId = HoldId, ShowId = ShowId, AttemptId = attemptId, Reason = "provider unreachable after 4 attempts",
    };

    public SeatsConfirmed SeatsConfirmed(string paymentIntentId) => new()
    {
        HoldId = HoldId, ShowId = ShowId, BookingId = State.BookingId!, PaymentIntentId = paymentIntentId,
    };

    public SeatsConfirmRefused SeatsConfirmRefused(string attemptId, string paymentIntentId, string holdStatus) => new()
    {
        HoldId = HoldId, ShowId = ShowId, AttemptId = attemptId, PaymentIntentId = paymentIntentId, HoldStatus = holdStatus,
    };

    public HoldExpired HoldExpired() => new()
    {
        HoldId = HoldId, ShowId = ShowId, UserId = UserId, SeatIds = ["A1", "A2"], ExpiresAt = ExpiresAt, ExpiredAt = Clock.GetUtcNow(),
    };

    public HoldReleased HoldReleased() => new()
    {
        HoldId = HoldId, ShowId = ShowId, UserId = UserId, SeatIds = ["A1", "A2"], ReleasedAt = Clock.GetUtcNow(),
    };

    public PaymentRefunded Refunded(string paymentIntentId, string refundId, decimal amount = Amount) => new()
    {
        HoldId = HoldId, ShowId = ShowId, PaymentIntentId = paymentIntentId, RefundId = refundId, Amount = amount, Currency = Currency,
    };
}
