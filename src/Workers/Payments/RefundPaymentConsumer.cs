using BookMyShow.Contracts.Payments;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace BookMyShow.Workers.Payments;

/// <summary>
/// Refunds a charge in full and publishes PaymentRefunded. Refunds are never dropped: when the provider stays
/// unavailable the consumer throws, so the message is tried again (Payments:RefundRetryIntervals) and finally lands in
/// the payments_error queue. The idempotency key (hold + payment intent) makes every new try safe.
/// </summary>
public sealed class RefundPaymentConsumer(IPaymentGateway gateway, ILogger<RefundPaymentConsumer> logger) : IConsumer<RefundPayment>
{
    public async Task Consume(ConsumeContext<RefundPayment> context)
    {
        var refund = context.Message;
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["HoldId"] = refund.HoldId,
            ["ShowId"] = refund.ShowId,
            ["PaymentIntentId"] = refund.PaymentIntentId,
        });

        var result = await gateway.RefundAsync(refund, context.CancellationToken);
        switch (result)
        {
            case RefundResult.Refunded refunded:
                logger.LogInformation("Refunded {Amount} {Currency} ({Reason}): refund {RefundId}", refund.Amount, refund.Currency, refund.Reason, refunded.RefundId);
                await context.Publish(new PaymentRefunded
                {
                    HoldId = refund.HoldId,
                    ShowId = refund.ShowId,
                    PaymentIntentId = refund.PaymentIntentId,
                    RefundId = refunded.RefundId,
                    Amount = refund.Amount,
                    Currency = refund.Currency,
                });
                break;
            case RefundResult.Unavailable unavailable:
                throw new PaymentProviderUnavailableException($"Refund of {refund.PaymentIntentId} for hold {refund.HoldId} failed: {unavailable.Reason}");
            default:
                throw new InvalidOperationException($"Unknown refund result {result}.");
        }
    }
}

/// <summary>The provider could not do what must not be dropped; the message is retried and then parked in the error queue.</summary>
public sealed class PaymentProviderUnavailableException : Exception
{
    public PaymentProviderUnavailableException()
    {
    }

    public PaymentProviderUnavailableException(string message) : base(message)
    {
    }

    public PaymentProviderUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
