using System.Globalization;
using System.Net.Mime;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace BookMyShow.Workers.Scheduling;

/// <summary>
/// Sends one scheduled message when its trigger fires: the envelope stored by <see cref="ScheduleMessageConsumer"/>
/// in the trigger's data goes to the stored destination unchanged — message JSON, message types, ids and headers as
/// they were scheduled — plus the scheduling token header a saga checks. Quartz deletes the trigger once the send is
/// confirmed.
/// </summary>
/// <remarks>
/// <para>
/// One durable job serves every scheduled message; each message is a trigger named by its token id. That shape is
/// what lets Quartz complete a firing without its cluster-wide lock: a firing that deletes the last trigger of a
/// non-durable job has to take the lock to delete the job too, which serialized every scheduled message (about
/// 100 a second here, against 400+ this way).
/// </para>
/// <para>
/// The trigger fires <see cref="SchedulerOptions.FireAhead"/> before the message's time and the job waits for it, so
/// the store's work per message is done before the moment and a burst due together goes out together.
/// </para>
/// <para>
/// A failed send throws, and the trigger's <see cref="Retry"/> policy fires it again later. The retry is stored with
/// the trigger, so it survives a restart; a worker that dies mid-send has its firing recovered by another
/// (RequestRecovery). Delivery is therefore at least once, always with the same MessageId.
/// </para>
/// </remarks>
public sealed class ScheduledMessageJob(
    ISendEndpointProvider sender,
    ScheduledTriggerProbe triggers,
    IOptions<SchedulerOptions> options,
    TimeProvider time,
    ILogger<ScheduledMessageJob> logger) : IJob
{
    /// <summary>The Quartz group of the scheduled-message job and of its triggers, which are named by token id.</summary>
    public const string Group = "scheduled-messages";

    /// <summary>The one durable job every scheduled-message trigger fires.</summary>
    public static JobKey Key { get; } = new("scheduled-message", Group);

    internal const string DestinationKey = "Destination";
    internal const string BodyKey = "Body";
    internal const string ContentTypeKey = "ContentType";
    internal const string MessageTypeKey = "MessageType";
    internal const string TokenIdKey = "TokenId";
    internal const string DueAtKey = "DueAt";

    /// <summary>
    /// How long before its time a message fired ahead looks for a cancel. A cancel processed later than that does not
    /// stop it (a saga ignores the message anyway: its scheduling token is no longer the saga's).
    /// </summary>
    static readonly TimeSpan CancelCheckLead = TimeSpan.FromMilliseconds(500);

    /// <summary>Without end, so a message is never dropped; the wait doubles from 1 s up to a minute while the broker is away.</summary>
    public static RetryPolicy Retry { get; } = RetryPolicy.Exponential(int.MaxValue, TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(1));

    public static TriggerKey TriggerKeyOf(Guid tokenId) => new(tokenId.ToString("N"), Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        var tokenId = Guid.Parse(Required(data, TokenIdKey));
        var destination = new Uri(Required(data, DestinationKey));
        var contentType = new ContentType(Required(data, ContentTypeKey));
        var body = Required(data, BodyKey);
        var dueAt = DateTimeOffset.Parse(Required(data, DueAtKey), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        try
        {
            // The trigger fires ahead of the time (SchedulerOptions.FireAhead): wait for it, and check for a cancel
            // shortly before, so that the moment itself costs no database read.
            var untilCancelCheck = dueAt - CancelCheckLead - time.GetUtcNow();
            if (untilCancelCheck > TimeSpan.Zero)
            {
                await Task.Delay(untilCancelCheck, time, cancellationToken);
                // A cancel while this waited deleted the trigger: nothing to send. (A firing recovered from a dead
                // worker has no trigger row left, the recovery deleted it, and is sent.)
                if (!context.Recovering && !await triggers.ExistsAsync(context.Trigger.Key, cancellationToken))
                {
                    logger.LogDebug("Scheduled message {TokenId} was cancelled before its time", tokenId);
                    return;
                }
            }
            // Timers count whole milliseconds and may wake a little early: never send before the time.
            for (var wait = dueAt - time.GetUtcNow(); wait > TimeSpan.Zero; wait = dueAt - time.GetUtcNow())
            {
                await Task.Delay(wait + TimeSpan.FromMilliseconds(1), time, cancellationToken);
            }

            var endpoint = await sender.GetSendEndpoint(destination);
            await endpoint.Send(new SerializedMessageBody(), send => Restore(send, contentType, body, destination, tokenId), cancellationToken);
            logger.LogDebug("Sent scheduled message {TokenId} to {Destination}", tokenId, destination);
        }
        catch (Exception ex)
        {
            // Also a send cancelled by shutdown: Quartz drops a cancelled firing, so it is reported as a failure to be retried.
            logger.LogWarning(ex, "Scheduled message {TokenId} to {Destination} was not sent (retry {Attempt}); Quartz will fire it again",
                tokenId, destination, context.RetryAttempt);
            throw new JobExecutionException(ex);
        }

        // Sent. Quartz completes the firing when this returns, a database transaction per message; held back a
        // moment, those transactions do not compete with the sends of the other messages due at the same time.
        if (options.Value.CompletionDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(options.Value.CompletionDelay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping: the message is out, so this firing has succeeded.
            }
        }
    }

    /// <summary>Turns the send of a placeholder into the send of the stored message.</summary>
    void Restore(SendContext send, ContentType contentType, string body, Uri destination, Guid tokenId)
    {
        var deserializer = send.Serialization.GetMessageDeserializer(contentType);
        var original = deserializer.Deserialize(deserializer.GetMessageBody(body), EmptyHeaders.Instance, destination);

        // What the envelope says wins over what this send would make up: the MessageId stays the one given when the
        // message was scheduled (a retried send is recognisably the same message), the source stays the scheduler's caller.
        send.MessageId = original.MessageId;
        send.RequestId = original.RequestId;
        send.CorrelationId = original.CorrelationId;
        send.ConversationId = original.ConversationId;
        send.InitiatorId = original.InitiatorId;
        send.SourceAddress = original.SourceAddress;
        send.ResponseAddress = original.ResponseAddress;
        send.FaultAddress = original.FaultAddress;
        if (original.ExpirationTime is { } expires)
        {
            var left = ScheduleMessageConsumer.AsUtc(expires) - time.GetUtcNow();
            send.TimeToLive = left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
        }
        send.Headers.Set(MessageHeaders.SchedulingTokenId, tokenId.ToString("D"));
        send.Serializer = original.GetMessageSerializer();
    }

    static string Required(JobDataMap data, string key) =>
        data.GetString(key) is { Length: > 0 } value ? value : throw new JobExecutionException($"Scheduled message job data has no '{key}'.");
}
