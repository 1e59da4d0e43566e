using BookMyShow.Sagas.Persistence;
using BookMyShow.TestInfrastructure;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Sagas.Tests.Persistence;

public sealed class CounterState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public int Count { get; set; }
    public string Log { get; set; } = "";
}

public record Started(Guid CounterId);

public record Increment(Guid CounterId, int Step);

/// <summary>A saga whose every event reads then writes its count: without a row lock, concurrent updates get lost.</summary>
public sealed class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public State Counting { get; private set; } = null!;
    public Event<Started> Started { get; private set; } = null!;
    public Event<Increment> Incremented { get; private set; } = null!;

    public CounterStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Started, e => e.CorrelateById(c => c.Message.CounterId));
        Event(() => Incremented, e => e.CorrelateById(c => c.Message.CounterId));
        Initially(When(Started).TransitionTo(Counting));
        During(Counting, When(Incremented).ThenAsync(async c =>
        {
            var before = c.Saga.Count;
            await Task.Yield();
            c.Saga.Count = before + 1;
            c.Saga.Log += $"{c.Message.Step},";
        }));
    }
}

public sealed class CounterDbContext(DbContextOptions<CounterDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<CounterState>(e =>
        {
            e.ToTable("counter_states");
            e.HasKey(x => x.CorrelationId);
        });
}

public sealed class EfSagaRepositoryTests : IAsyncLifetime
{
    ServiceProvider _provider = null!;
    ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        var services = await TestServices.Shared;
        var connectionString = await services.CreateDatabaseAsync("sagas");
        var collection = new ServiceCollection();
        collection.AddPooledDbContextFactory<CounterDbContext>(o => o.UseNpgsql(connectionString));
        collection.AddSingleton<BookMyShow.Core.Outbox.OutboxSignal>();
        collection.AddMassTransitTestHarness(x =>
        {
            x.AddSagaStateMachine<CounterStateMachine, CounterState>()
                .EfCoreRepository<CounterDbContext, CounterState>()
                .Endpoint(e => e.ConcurrentMessageLimit = 16);
            x.AddConfigureEndpointsCallback((_, cfg) => cfg.UseMessageRetry(r => r.Immediate(20)));
        });
        _provider = collection.BuildServiceProvider(validateScopes: true);
        await using (var db = await _provider.GetRequiredService<IDbContextFactory<CounterDbContext>>().CreateDbContextAsync())
        {
            await db.Database.EnsureCreatedAsync();
        }
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async Task DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }

    async Task<CounterState?> LoadAsync(Guid id)
    {
        await using var db = await _provider.GetRequiredService<IDbContextFactory<CounterDbContext>>().CreateDbContextAsync();
        return await db.Set<CounterState>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == id);
    }

    [Fact]
    public async Task Concurrent_messages_for_one_saga_never_lose_an_update()
    {
        var id = NewId.NextGuid();
        await _harness.Bus.Publish(new Started(id));
        await Deadline.UntilAsync(async () => await LoadAsync(id) is not null, TimeSpan.FromSeconds(15), "the saga to start");

        await Task.WhenAll(Enumerable.Range(1, 40).Select(i => _harness.Bus.Publish(new Increment(id, i))));

        var saga = await Deadline.UntilAsync(async () => await LoadAsync(id) is { Count: >= 40 } s ? s : null, TimeSpan.FromSeconds(60), "40 increments");
        Assert.Equal(40, saga.Count);
        Assert.Equal(Enumerable.Range(1, 40), saga.Log.TrimEnd(',').Split(',').Select(int.Parse).Order());
    }

    [Fact]
    public async Task Two_starts_at_once_make_one_saga()
    {
        var id = NewId.NextGuid();

        await Task.WhenAll(_harness.Bus.Publish(new Started(id)), _harness.Bus.Publish(new Started(id)));
        await Deadline.UntilAsync(() => Task.FromResult(_harness.Consumed.Select<Started>(x => x.Context.Message.CounterId == id).Count() >= 2),
            TimeSpan.FromSeconds(15), "both starts to be consumed");
        await _harness.Bus.Publish(new Increment(id, 1));

        var saga = await Deadline.UntilAsync(async () => await LoadAsync(id) is { Count: 1 } s ? s : null, TimeSpan.FromSeconds(15), "the increment");
        Assert.Equal("Counting", saga.CurrentState);
    }
}
