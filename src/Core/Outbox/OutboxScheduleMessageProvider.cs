using BookMyShow.Core.Persistence;
using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;

namespace BookMyShow.Core.Outbox;

/// <summary>
/// A message scheduler that writes schedules and cancels to the outbox of a transaction instead of sending them: a
/// saga's <c>Schedule(...)</c>/<c>Unschedule(...)</c> then commit with its new state, and the dispatcher hands them to
/// the scheduler afterwards (<see cref="OutboxDispatcher"/>).
/// </summary>
public sealed class OutboxScheduleMessageProvider(BookingDbContext db, TimeProvider time) : IScheduleMessageProvider
{
    /// <summary>The consume-context payload that makes <c>Schedule(...)</c> in a saga go through <paramref name="db"/>.</summary>
    public static MessageSchedulerContext SchedulerContextFor(ConsumeContext context, BookingDbContext db, TimeProvider time) =>
        new ConsumeMessageSchedulerContext(context, c => new MessageScheduler(new OutboxScheduleMessageProvider(db, time), c.GetPayload<IBusTopology>()));

    public Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken) where T : class
    {
        var tokenId = NewId.NextGuid();
        var dueAt = scheduledTime.Kind == DateTimeKind.Local ? scheduledTime.ToUniversalTime() : scheduledTime;
        db.Schedule(message, destinationAddress, dueAt, tokenId, time.GetUtcNow().UtcDateTime);
        return Task.FromResult<ScheduledMessage<T>>(new ScheduledMessageHandle<T>(tokenId, dueAt, destinationAddress, message));
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => CancelScheduledSend(null!, tokenId, cancellationToken);

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken)
    {
        db.CancelSchedule(destinationAddress, tokenId, time.GetUtcNow().UtcDateTime);
        return Task.CompletedTask;
    }
}
