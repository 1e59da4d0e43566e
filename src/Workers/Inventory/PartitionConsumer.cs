using BookMyShow.Core.Messaging;
using BookMyShow.Contracts.Bookings;
using BookMyShow.Contracts.Holds;
using MassTransit;

namespace BookMyShow.Workers.Inventory;

/// <summary>
/// Every message of a partition queue, handed to the partition's single writer (<see cref="PartitionActor"/>, ADR 0022)
/// and acknowledged once the batch it joined has committed. Work for shows of several partitions (a message sent by
/// hand) goes to each show's own partition. A redelivered or retried message is marked careful: what it asks may have
/// been done already, and the partition checks the database rather than its memory alone.
/// </summary>
public sealed class PartitionConsumer(Partitions partitions) :
    IConsumer<PlaceHolds>,
    IConsumer<PlaceHold>,
    IConsumer<ReleaseHold>,
    IConsumer<ExpireHolds>,
    IConsumer<ExpireDueHolds>,
    IConsumer<WarnExpiringHolds>,
    IConsumer<ProtectHoldForPayment>,
    IConsumer<ConfirmSeats>
{
    /// <summary>Retries (about 4 minutes: a database outage is waited out) before a message runs alone and a request that still fails is answered PROCESSING_FAILED.</summary>
    public const int RetriesBeforeGivingUp = Retries.Attempts;

    public Task Consume(ConsumeContext<PlaceHolds> context) =>
        SubmitAsync(context, context.Message.Requests, r => r.ShowId, requests => new PlaceWork(requests));

    public Task Consume(ConsumeContext<PlaceHold> context) =>
        SubmitAsync(context, [context.Message], r => r.ShowId, requests => new PlaceWork(requests));

    public Task Consume(ConsumeContext<ReleaseHold> context) => SubmitAsync(context, context.Message.ShowId, new ReleaseWork(context.Message));

    /// <summary>The backstop sweep's or the saga's ask: the named holds once due, and with them every due hold of the show.</summary>
    public Task Consume(ConsumeContext<ExpireHolds> context) =>
        SubmitAsync(context, context.Message.ShowId, new ExpireWork([context.Message.ShowId], context.Message.HoldIds, context.Message.IgnorePaymentGrace));

    /// <summary>The backstop clock's ask for several shows of the partition: their due holds.</summary>
    public Task Consume(ConsumeContext<ExpireDueHolds> context) =>
        SubmitAsync(context, context.Message.ShowIds, id => id, shows => new ExpireWork(shows, context.Message.HoldIds, ignoreGrace: false));

    public Task Consume(ConsumeContext<WarnExpiringHolds> context) => SubmitAsync(context, context.Message.ShowId, new WarnWork(context.Message));

    public Task Consume(ConsumeContext<ProtectHoldForPayment> context) => SubmitAsync(context, context.Message.ShowId, new ProtectWork(context.Message));

    public Task Consume(ConsumeContext<ConfirmSeats> context) => SubmitAsync(context, context.Message.ShowId, new ConfirmWork(context.Message));

    Task SubmitAsync(ConsumeContext context, string showId, PartitionWork work) => partitions.Of(showId).SubmitAsync(Mark(context, work));

    Task SubmitAsync<T>(ConsumeContext context, IReadOnlyList<T> items, Func<T, string> showOf, Func<IReadOnlyList<T>, PartitionWork> work)
    {
        if (items.Count == 0) return Task.CompletedTask;
        var byPartition = items.GroupBy(i => partitions.Partitioning.PartitionOf(showOf(i))).ToList();
        if (byPartition.Count == 1) return partitions.For(byPartition[0].Key).SubmitAsync(Mark(context, work(items)));
        return Task.WhenAll(byPartition.Select(g => partitions.For(g.Key).SubmitAsync(Mark(context, work(g.ToList())))));
    }

    static PartitionWork Mark(ConsumeContext context, PartitionWork work)
    {
        var retry = context.GetRetryAttempt();
        work.Careful = retry > 0 || context.ReceiveContext.Redelivered;
        work.Isolated = retry >= RetriesBeforeGivingUp;
        if (context.ReceiveContext is RabbitMqBasicConsumeContext rabbit) work.Delivery = new Delivery(rabbit.ConsumerTag, rabbit.DeliveryTag);
        return work;
    }
}
