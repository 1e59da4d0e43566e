using System.Globalization;
using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace BookMyShow.Workers.Scheduling;

/// <summary>
/// Stores a <see cref="ScheduleMessage"/> (what a saga's <c>Schedule(...)</c> and <c>IMessageScheduler</c> send to
/// <c>exchange:scheduler</c>) as a Quartz trigger at the scheduled time, carrying the message; it fires
/// <see cref="ScheduledMessageJob"/>, which sends it. The trigger is named by the schedule's token id, so a
/// redelivered ScheduleMessage replaces its own trigger instead of adding a second one, and
/// <see cref="CancelScheduledMessageConsumer"/> finds it by the same id.
/// </summary>
public sealed class ScheduleMessageConsumer(ISchedulerFactory schedulers, IOptions<SchedulerOptions> options, ILogger<ScheduleMessageConsumer> logger)
    : IConsumer<ScheduleMessage>
{
    public async Task Consume(ConsumeContext<ScheduleMessage> context)
    {
        var command = context.Message;
        var tokenId = command.CorrelationId;
        var due = AsUtc(command.ScheduledTime);

        // The message is stored as the envelope it will be sent in: the inner message's JSON and message types as the
        // scheduler received them, with the ScheduleMessage's ids, addresses and headers (the sender's pipe put the
        // scheduled message's headers there). The MessageId is the ScheduleMessage's, so every send of it is the same message.
        var serializer = context.SerializerContext.GetMessageSerializer(command.Payload, command.PayloadType);
        var envelope = new MessageSendContext<ScheduleMessage>(command, context.CancellationToken)
        {
            MessageId = context.MessageId ?? tokenId,
            DestinationAddress = command.Destination,
        };
        var body = serializer.GetMessageBody(envelope).GetString();

        var trigger = TriggerBuilder.Create()
            .ForJob(ScheduledMessageJob.Key)
            .WithIdentity(ScheduledMessageJob.TriggerKeyOf(tokenId))
            .WithDescription($"{string.Join(";", command.PayloadType)} to {command.Destination}")
            // Fired ahead; the job waits for DueAt (see SchedulerOptions.FireAhead).
            .StartAt(due - options.Value.FireAhead)
            // Late (every worker was down at the time): send as soon as a scheduler is back.
            .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .WithRetryPolicy(ScheduledMessageJob.Retry)
            .UsingJobData(ScheduledMessageJob.TokenIdKey, tokenId.ToString("D"))
            .UsingJobData(ScheduledMessageJob.DueAtKey, due.ToString("O", CultureInfo.InvariantCulture))
            .UsingJobData(ScheduledMessageJob.DestinationKey, command.Destination.ToString())
            .UsingJobData(ScheduledMessageJob.ContentTypeKey, serializer.ContentType.ToString())
            .UsingJobData(ScheduledMessageJob.MessageTypeKey, string.Join(";", command.PayloadType))
            .UsingJobData(ScheduledMessageJob.BodyKey, body)
            .Build();

        var scheduler = await schedulers.GetScheduler(context.CancellationToken);
        try
        {
            // A plain insert takes no scheduler-wide lock (LockOnInsert is off); a replace does, so only a
            // redelivery pays for it.
            await scheduler.ScheduleJob(trigger, cancellationToken: context.CancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            await scheduler.ScheduleJob(trigger, ScheduleJobOptions.Replacing, context.CancellationToken);
        }
        logger.LogDebug("Scheduled {TokenId} ({MessageType}) to {Destination} at {Due:O}", tokenId, command.PayloadType.FirstOrDefault(), command.Destination, due);
    }

    /// <summary>A time from a message as UTC: one without a kind is taken as UTC, as MassTransit writes them.</summary>
    internal static DateTimeOffset AsUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero),
        _ => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero),
    };
}
