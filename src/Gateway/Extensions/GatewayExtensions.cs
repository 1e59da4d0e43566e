using System.Text.Json;
using BookMyShow.Core.Hosting;
using BookMyShow.Core.Messaging;
using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Apis;
using BookMyShow.Gateway.Apis.Binding;
using BookMyShow.Gateway.Auth;
using BookMyShow.Gateway.Integration;
using BookMyShow.Gateway.Notifications;
using BookMyShow.Gateway.Seats;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace BookMyShow.Gateway.Extensions;

/// <summary>Configuration section "Gateway".</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Host the workers in this process too (in-memory transport and SQLite by default).</summary>
    public bool Embedded { get; set; } = true;

    /// <summary>
    /// How long an admission group stays open for more requests after its first one (ADR 0022): a group costs one
    /// database statement and one message per partition whatever its size, so at a few hundred requests a second a
    /// few milliseconds' wait turns one message per request into one per group. Zero: a group is whatever arrived
    /// while the previous one was being recorded.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan AdmissionWindow { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>After this long without an event, a user's event stream gets a heartbeat (proxies close quiet connections).</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan EventsHeartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest request body read, with or without a Content-Length (413 beyond it).</summary>
    [System.ComponentModel.DataAnnotations.Range(1024, 16 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = RequestLimits.DefaultMaxBodyBytes;
}

public static class GatewayExtensions
{
    public static WebApplicationBuilder AddGatewayServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        var gateway = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();

        builder.AddBookMyShowCore();
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.AddRequestLimits(gateway.MaxRequestBodyBytes);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            // Names match exactly, as the hand-written parser did: "SEAT_IDS" is not seat_ids.
            o.SerializerOptions.PropertyNameCaseInsensitive = false;
        });
        // Request bodies are bound by the framework; what it cannot bind it throws, and one handler words it (400/408/413/415).
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BindingFailureHandler>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c => StatusProblems.Complete(c.ProblemDetails, c.HttpContext));
        services.Configure<RouteOptions>(o => o.SetParameterPolicy<IdRouteConstraint>(IdRouteConstraint.Name));
        services.AddOpenApi();
        services.AddMemoryCache();
        services.AddGatewayAuth(configuration, builder.Environment, gateway.Embedded);

        services.AddSingleton<CachedJson>();
        services.AddSingleton<ShowLayouts>();
        services.AddSingleton<SeatMaps>();
        services.AddSingleton<OutcomeNotifier>();
        services.AddSingleton<DrainRates>();
        services.AddSingleton<HoldRequestViews>();
        services.AddSingleton<QueuePositions>();
        services.AddSingleton<WaitingRequests>();
        services.AddSingleton<UserEventHub>();
        services.AddSingleton<UserContacts>();
        services.AddScoped<HoldAdmission>();
        services.AddSingleton<AdmissionBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<AdmissionBatcher>());

        IBusContribution[] contributions = gateway.Embedded
            ? [new GatewayEndpoints(), .. EmbeddedExtensions.AddEmbeddedWorkers(services, configuration)]
            : [new GatewayEndpoints()];
        services.AddBookMyShowBus(configuration, contributions);
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseUtf8JsonBodies();

        app.MapOpenApi();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        var api = app.MapGroup("").DescribeProblems();
        api.MapAuthApi(app.Services.GetRequiredService<TokenSettings>());
        api.MapCatalogApi();
        api.MapSeatsApi();
        api.MapHoldRequestsApi();
        api.MapHoldsApi();
        api.MapBookingsApi();
        api.MapUserEventsApi();
        api.MapOpsApi();
        api.MapStripeWebhooks();
        return app;
    }
}
