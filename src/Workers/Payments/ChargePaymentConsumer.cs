using BookMyShow.Contracts.Payments;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace BookMyShow.Workers.Payments;

/// <summary>
/// Charges one attempt and publishes its outcome: PaymentSucceeded, PaymentDeclined, or PaymentFailed when the
/// provider stayed unavailable. A redelivered ChargePayment repeats the call with the same idempotency key, so the
/// provider answers with the same payment intent and nothing is charged twice; the outcome is then published again.
/// </summary>
public sealed class ChargePaymentConsumer(IPaymentGateway gateway, TimeProvider time, ILogger<ChargePaymentConsumer> logger) : IConsumer<ChargePayment>
{
    public async Task Consume(ConsumeContext<ChargePayment> context)
    {
        var charge = context.Message;
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["HoldId"] = charge.HoldId,
            ["ShowId"] = charge.ShowId,
            ["AttemptId"] = charge.AttemptId,
        });

        var result = await gateway.ChargeAsync(charge, context.CancellationToken);
        switch (result)
        {
            case ChargeResult.Succeeded succeeded:
                logger.LogInformation("Charged {Amount} {Currency}: payment intent {PaymentIntentId}", charge.Amount, charge.Currency, succeeded.PaymentIntentId);
                await context.Publish(new PaymentSucceeded
                {
                    HoldId = charge.HoldId,
                    ShowId = charge.ShowId,
                    AttemptId = charge.AttemptId,
                    PaymentIntentId = succeeded.PaymentIntentId,
                    Amount = charge.Amount,
                    Currency = charge.Currency,
                    SucceededAt = time.GetUtcNow(),
                });
                break;
            case ChargeResult.Declined declined:
                logger.LogInformation("Payment declined: {Code} {Message}", declined.Code, declined.Message);
                await context.Publish(new PaymentDeclined
                {
                    HoldId = charge.HoldId,
                    ShowId = charge.ShowId,
                    AttemptId = charge.AttemptId,
                    Code = declined.Code,
                    Message = declined.Message,
                });
                break;
            case ChargeResult.Unavailable unavailable:
                logger.LogWarning("Payment provider unavailable: {Reason}", unavailable.Reason);
                await context.Publish(new PaymentFailed
                {
                    HoldId = charge.HoldId,
                    ShowId = charge.ShowId,
                    AttemptId = charge.AttemptId,
                    Reason = unavailable.Reason,
                });
                break;
            default:
                throw new InvalidOperationException($"Unknown charge result {result}.");
        }
    }
}
