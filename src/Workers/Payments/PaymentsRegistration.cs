using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BookMyShow.Workers.Payments;

public static class PaymentsRegistration
{
    /// <summary>
    /// Payment options (section "Payments", validated at start), the gateway named by Payments:Provider and the
    /// HttpClient for Stripe. The consumers come with <see cref="PaymentEndpoints"/>.
    /// </summary>
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PaymentOptions>().Bind(configuration.GetSection(PaymentOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PaymentOptions>, PaymentOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddHttpClient(StripePaymentGateway.HttpClientName, client =>
            {
                // Each call has its own deadline (Payments:Timeout, see ProviderCalls); this is only a backstop.
                client.Timeout = TimeSpan.FromMinutes(6);
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RemoveAllLoggers();

        services.TryAddSingleton<ProviderCalls>();
        services.TryAddSingleton<SimulatedPaymentGateway>();
        services.TryAddSingleton<StripePaymentGateway>();
        services.TryAddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<IOptions<PaymentOptions>>().Value.Provider switch
        {
            PaymentProvider.Stripe => sp.GetRequiredService<StripePaymentGateway>(),
            _ => sp.GetRequiredService<SimulatedPaymentGateway>(),
        });
        return services;
    }
}
