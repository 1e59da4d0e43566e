using BookMyShow.Core.Hosting;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using BookMyShow.Sagas.Booking;
using BookMyShow.Workers.Extensions;
using BookMyShow.Workers.Operations;
using BookMyShow.Workers.Scheduling;

var builder = Host.CreateApplicationBuilder(args);
if (await ErrorQueueCommand.TryRunAsync(args, builder.Configuration) is { } exit) return exit;
builder.AddBookMyShowCore();

if (args.Contains("--apply-schema"))
{
    // Create the schema and load the catalog, then exit: used by scripts before starting processes.
    using var schemaHost = builder.Build();
    await schemaHost.Services.GetRequiredService<SchemaInitializer>().EnsureAsync(CancellationToken.None);
    if (builder.Configuration.GetConnectionString("Postgres") is { Length: > 0 } postgres
        && builder.Configuration.GetValue<DatabaseProvider>("Database:Provider") == DatabaseProvider.Postgres)
    {
        await QuartzSchema.EnsureAsync(postgres, CancellationToken.None);
    }
    return 0;
}

builder.Services.AddWorkerServices(builder.Configuration);
builder.Services.AddBookMyShowBus(builder.Configuration, [.. WorkerExtensions.WorkerBusContributions(builder.Configuration), .. BookingSagas.BusContributions()]);

await builder.Build().RunAsync();
return 0;
