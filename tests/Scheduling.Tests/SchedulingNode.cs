using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using BookMyShow.Workers.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit.Abstractions;

namespace BookMyShow.Scheduling.Tests;

/// <summary>A worker-like process in-process: the worker's Quartz wiring with the expiry sweep, on PostgreSQL and RabbitMQ.</summary>
public sealed class SchedulingNode : IAsyncDisposable
{
    readonly IHost _host;
    readonly ErrorCount _errors;
    bool _stopped;

    SchedulingNode(IHost host, ErrorCount errors)
    {
        _host = host;
        _errors = errors;
    }

    /// <summary>Errors this node logged.</summary>
    public int Errors => _errors.Value;

    public static async Task<SchedulingNode> StartAsync(string name, string postgres, Uri rabbitMq, ITestOutputHelper output,
        IReadOnlyDictionary<string, string?>? settings = null)
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

        // The worker's wiring: the expiry sweep is a job of the process's one scheduler, and sends through the bus.
        builder.Services.AddBookingDatabase(builder.Configuration);
        builder.Services.AddScheduledJobs(builder.Configuration, q => q.AddExpiredHoldSweep(builder.Configuration));
        builder.Services.AddBookMyShowBus(builder.Configuration);

        var host = builder.Build();
        await host.StartAsync();
        return new SchedulingNode(host, errors);
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

/// <summary>Reads the Quartz tables, to see what the scheduler has done.</summary>
public static class QuartzStore
{
    /// <summary>Whether the expiry sweep's trigger has fired at least once, as far as its row tells.</summary>
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
