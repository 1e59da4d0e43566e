using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.Logging;
using Quartz;

namespace BookMyShow.Workers.Scheduling;

/// <summary>
/// Deletes a scheduled message's trigger by token id (what a saga's <c>Unschedule(...)</c> sends). A token
/// that is unknown or already fired is a no-op.
/// </summary>
/// <remarks>
/// A cancel that overtakes its own ScheduleMessage (both on the scheduler queue, handled concurrently) finds nothing,
/// and the message is then sent at its time. A saga is safe from that: it ignores a scheduled message whose
/// scheduling token is no longer the one it holds.
/// </remarks>
public sealed class CancelScheduledMessageConsumer(ISchedulerFactory schedulers, ILogger<CancelScheduledMessageConsumer> logger)
    : IConsumer<CancelScheduledMessage>
{
    public async Task Consume(ConsumeContext<CancelScheduledMessage> context)
    {
        var scheduler = await schedulers.GetScheduler(context.CancellationToken);
        var deleted = await scheduler.UnscheduleJob(ScheduledMessageJob.TriggerKeyOf(context.Message.TokenId), context.CancellationToken);
        if (deleted)
        {
            logger.LogDebug("Cancelled scheduled message {TokenId}", context.Message.TokenId);
        }
        else
        {
            logger.LogDebug("Nothing to cancel for {TokenId}: unknown or already sent", context.Message.TokenId);
        }
    }
}
