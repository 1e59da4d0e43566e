using System.Collections.Concurrent;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using BookMyShow.Workers.Scheduling;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit.Abstractions;

namespace BookMyShow.Scheduling.Tests;

/// <summary>One ping as it reached the test consumer.</summary>
public sealed record Arrival(
    Guid Id,
    string Label,
    DateTimeOffset DueAt,
    DateTimeOffset ArrivedAt,
    Guid? MessageId,
    Guid? CorrelationId,
    Guid? ConversationId,
    Guid? SchedulingTokenId,
    string? Scenario,
    string Node)
{
    public TimeSpan Lateness => ArrivedAt - DueAt;
}

/// <summary>What the test consumers saw, shared by every node of a test.</summary>
public sealed class Arrivals
{
    readonly ConcurrentQueue<Arrival> _all = new();
    readonly ConcurrentDictionary<Guid, Guid> _tokens = new();

    public void Add(Arrival arrival) => _all.Enqueue(arrival);

    public IReadOnlyList<Arrival> All => [.. _all];

    public IReadOnlyList<Arrival> Of(Guid id) => _all.Where(a => a.Id == id).ToList();

    public Arrival? FirstOf(Guid id) => _all.FirstOrDefault(a => a.Id == id);

    /// <summary>The scheduling token a consumer got back when it scheduled the ping <paramref name="id"/>.</summary>
    public void RecordToken(Guid id, Guid tokenId) => _tokens[id] = tokenId;

    public Guid? TokenOf(Guid id) => _tokens.TryGetValue(id, out var token) ? token : null;
}

public sealed class PingConsumer(Arrivals arrivals, NodeName node) : IConsumer<ScheduledPing>
{
    public Task Consume(ConsumeContext<ScheduledPing> context)
    {
        var now = DateTimeOffset.UtcNow;
        var message = context.Message;
        arrivals.Add(new Arrival(message.Id, message.Label, message.DueAt, now, context.MessageId, context.CorrelationId, context.ConversationId,
            context.GetSchedulingTokenId(), context.Headers.Get<string>("X-Scenario"), node.Value));
        return Task.CompletedTask;
    }
}

/// <summary>Schedules a ping from a consume context, as a saga's Schedule(...) does.</summary>
public sealed class TimerConsumer(Arrivals arrivals) : IConsumer<StartTimer>
{
    public async Task Consume(ConsumeContext<StartTimer> context)
    {
        var message = context.Message;
        var scheduled = await context.ScheduleSend(TestEndpoints.Address, message.DueAt.UtcDateTime,
            new ScheduledPing { Id = message.Id, DueAt = message.DueAt, Label = "from-consumer" },
            Pipe.Execute<SendContext<ScheduledPing>>(send =>
            {
                send.CorrelationId = message.Id;
                send.Headers.Set("X-Scenario", message.Scenario);
            }));
        arrivals.RecordToken(message.Id, scheduled.TokenId);
    }
}

public sealed record NodeName(string Value);

/// <summary>The test's own endpoint: where pings are scheduled to, and where timers start.</summary>
public sealed class TestEndpoints(int concurrency) : IBusContribution
{
    public const string Queue = "scheduling-test";
    public static Uri Address { get; } = new($"exchange:{Queue}");

    public void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<PingConsumer>();
        bus.AddConsumer<TimerConsumer>();
    }

    public void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus, TransportKind transport) =>
        bus.ReceiveEndpoint(Queue, e =>
        {
            e.PrefetchCount = 256;
            e.ConcurrentMessageLimit = concurrency;
            e.ConfigureConsumer<PingConsumer>(context);
            e.ConfigureConsumer<TimerConsumer>(context);
        });
}

/// <summary>
/// Stands in for the bus as the scheduled-message job's send endpoint provider: counts the sends this node's
/// scheduler makes to the test endpoint and, when asked, fails the first few.
/// </summary>
public sealed class SendTap
{
    int _attempts;
    int _failuresLeft;
    readonly ConcurrentQueue<DateTimeOffset> _times = new();

    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>When each send to the test endpoint began.</summary>
    public IReadOnlyList<DateTimeOffset> AttemptTimes => [.. _times];

    public void FailNext(int count) => Volatile.Write(ref _failuresLeft, count);

    internal bool Attempt(Uri address)
    {
        if (!address.ToString().Contains(TestEndpoints.Queue, StringComparison.Ordinal)) return true;
        Interlocked.Increment(ref _attempts);
        _times.Enqueue(DateTimeOffset.UtcNow);
        return Interlocked.Decrement(ref _failuresLeft) < 0;
    }
}

sealed class TappedSendEndpointProvider(IBus bus, SendTap tap) : ISendEndpointProvider
{
    public Task<ISendEndpoint> GetSendEndpoint(Uri address) =>
        tap.Attempt(address) ? bus.GetSendEndpoint(address) : throw new InvalidOperationException($"Test fault: no send to {address}");

    public ConnectHandle ConnectSendObserver(ISendObserver observer) => bus.ConnectSendObserver(observer);
}

/// <summary>A worker-like process in-process: the real scheduling wiring on RabbitMQ and PostgreSQL, plus the test endpoint.</summary>
public sealed class SchedulingNode : IAsyncDisposable
{
    readonly IHost _host;
    bool _stopped;

    SchedulingNode(string name, IHost host, SendTap sends, ErrorCount errors)
    {
        Name = name;
        _host = host;
        Sends = sends;
        _errors = errors;
    }

    readonly ErrorCount _errors;

    public string Name { get; }

    /// <summary>Errors this node logged.</summary>
    public int Errors => _errors.Value;

    public SendTap Sends { get; }

    public IServiceProvider Services => _host.Services;

    public static async Task<SchedulingNode> StartAsync(string name, string postgres, Uri rabbitMq, Arrivals arrivals, ITestOutputHelper output,
        bool hostsTestEndpoint = true, int testConcurrency = 64, Action<SendTap>? tap = null, IReadOnlyDictionary<string, string?>? settings = null,
        bool withSweep = false)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Postgres"] = postgres,
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:RabbitMq"] = rabbitMq.ToString(),
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var errors = new ErrorCount();
        builder.Logging.AddProvider(new TestOutputLoggerProvider(output, name, errors));

        var services = builder.Services;
        var messaging = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>()!;
        services.AddSingleton(arrivals);
        services.AddSingleton(new NodeName(name));
        if (withSweep)
        {
            // The worker's wiring: the expiry sweep is a job of the same, single scheduler.
            services.AddBookingDatabase(builder.Configuration);
            services.AddMessageScheduling(builder.Configuration, q => q.AddExpiredHoldSweep(builder.Configuration));
        }
        else
        {
            services.AddMessageScheduling(builder.Configuration);
        }
        // The test endpoint first: the scheduler contribution must serve endpoints configured before it as well.
        IBusContribution[] contributions = hostsTestEndpoint
            ? [new TestEndpoints(testConcurrency), new SchedulerEndpoints(messaging)]
            : [new SchedulerEndpoints(messaging)];
        services.AddBookMyShowBus(builder.Configuration, contributions);

        var sends = new SendTap();
        tap?.Invoke(sends);
        services.AddScoped<ISendEndpointProvider>(sp => new TappedSendEndpointProvider(sp.GetRequiredService<IBus>(), sends));

        var host = builder.Build();
        await host.StartAsync();
        return new SchedulingNode(name, host, sends, errors);
    }

    /// <summary>Schedules through the container's IMessageScheduler, as application code outside a consumer does.</summary>
    public async Task<Guid> ScheduleAsync(ScheduledPing ping)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
        var scheduled = await scheduler.ScheduleSend(TestEndpoints.Address, ping.DueAt.UtcDateTime, ping);
        return scheduled.TokenId;
    }

    public async Task CancelAsync(Guid tokenId)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
        await scheduler.CancelScheduledSend(TestEndpoints.Address, tokenId);
    }

    public async Task SendAsync<T>(T message, Action<SendContext<T>>? configure = null) where T : class
    {
        var endpoint = await _host.Services.GetRequiredService<IBus>().GetSendEndpoint(TestEndpoints.Address);
        await endpoint.Send(message, ctx => configure?.Invoke(ctx));
    }

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _host.StopAsync();
        _host.Dispose();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}

/// <summary>Reads the Quartz tables, to see what the scheduler has stored.</summary>
public static class QuartzStore
{
    public static async Task<long> CountAsync(string postgres, string table, string? triggerName = null)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        var sql = table switch
        {
            "triggers" => "SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'scheduled-messages'",
            "fired" => "SELECT count(*) FROM qrtz_fired_triggers",
            _ => throw new ArgumentOutOfRangeException(nameof(table)),
        };
        if (triggerName is not null) sql += " AND trigger_name = @name";
        await using var command = new NpgsqlCommand(sql, connection);
        if (triggerName is not null) command.Parameters.AddWithValue("name", triggerName);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static Task<long> StoredAsync(string postgres, Guid tokenId) => CountAsync(postgres, "triggers", tokenId.ToString("N"));

    /// <summary>How many times the expiry sweep's trigger has fired so far, as far as its row tells (0 or 1 and more).</summary>
    public static async Task<bool> SweepHasFiredAsync(string postgres)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM qrtz_triggers WHERE job_name = 'expired-hold-sweep' AND prev_fire_time IS NOT NULL", connection);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    /// <summary>The application's tables, which the expiry sweep reads.</summary>
    public static async Task CreateBookingSchemaAsync(string postgres)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Postgres"] = postgres,
        }).Build();
        await using var provider = new ServiceCollection().AddBookingDatabase(configuration).BuildServiceProvider();
        await using var db = await provider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<BookingDbContext>>().CreateDbContextAsync();
        await db.Database.EnsureCreatedAsync();
    }
}

sealed class ErrorCount
{
    int _value;

    public int Value => Volatile.Read(ref _value);

    public void Add() => Interlocked.Increment(ref _value);
}

sealed class TestOutputLoggerProvider(ITestOutputHelper output, string node, ErrorCount errors) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TestOutputLogger(output, node, categoryName, errors);

    public void Dispose()
    {
    }

    sealed class TestOutputLogger(ITestOutputHelper output, string node, string category, ErrorCount errors) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error) errors.Add();
            try
            {
                output.WriteLine($"[{node}] {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; its output is closed.
            }
        }
    }
}
