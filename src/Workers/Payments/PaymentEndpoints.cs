using BookMyShow.Core.Messaging;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BookMyShow.Workers.Payments;

/// <summary>
/// The payments queue: ChargePayment and RefundPayment, many at once (provider calls are slow I/O, independent of
/// each other). Needs <see cref="PaymentsRegistration.AddPayments"/>.
/// </summary>
public sealed class PaymentEndpoints : IBusContribution
{
    public const string QueueName = "payments";

    public void AddConsumers(IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<ChargePaymentConsumer>();
        bus.AddConsumer<RefundPaymentConsumer>();
    }

    public void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus, TransportKind transport)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(bus);
        var options = context.GetRequiredService<IOptions<PaymentOptions>>().Value;
        bus.ReceiveEndpoint(QueueName, e =>
        {
            e.ConcurrentMessageLimit = options.ConcurrentMessageLimit;
            e.PrefetchCount = options.ConcurrentMessageLimit * 2;
            // Provider trouble is retried inside the gateway and ends in PaymentFailed; this only covers our own
            // transient errors (e.g. publishing). The same idempotency key makes a repeated charge harmless.
            e.ConfigureConsumer<ChargePaymentConsumer>(context, c => c.UseMessageRetry(r => r.Intervals(100, 1000, 5000)));
            e.ConfigureConsumer<RefundPaymentConsumer>(context, c => c.UseMessageRetry(r => r.Intervals([.. options.EffectiveRefundRetryIntervals])));
        });
    }
}
