using BookMyShow.Core.Catalog;
using BookMyShow.Core.Holds;
using BookMyShow.Core.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BookMyShow.Core.Hosting;

public static class CoreHostingExtensions
{
    /// <summary>What every BookMyShow process needs: options, clock, database, schema on start, structured logs.</summary>
    public static IHostApplicationBuilder AddBookMyShowCore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });

        services.AddSingleton(TimeProvider.System);
        services.AddOptions<HoldOptions>().Bind(configuration.GetSection(HoldOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Bookings.BookingOptions>().Bind(configuration.GetSection(Bookings.BookingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CatalogOptions>().Bind(configuration.GetSection(CatalogOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddBookingDatabase(configuration);
        services.AddSingleton<SchemaInitializer>();
        services.AddHostedService<SchemaInitializerService>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }
}
