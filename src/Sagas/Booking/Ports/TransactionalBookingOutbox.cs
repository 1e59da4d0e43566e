using BookMyShow.Core.Outbox;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Ports;

/// <summary>Writes the saga's messages as outbox rows through the saga's own DbContext, in its transaction (ADR 8).</summary>
public sealed class TransactionalBookingOutbox(TimeProvider time) : IBookingOutbox
{
    public Task PublishAsync<T>(ConsumeContext context, T message, Guid messageId) where T : class
    {
        SagaTransaction.DbOf(context).Publish(message, time.GetUtcNow().UtcDateTime, messageId);
        return Task.CompletedTask;
    }

    public Task SendAsync<T>(ConsumeContext context, T message, Uri destination) where T : class
    {
        SagaTransaction.DbOf(context).Send(message, destination, time.GetUtcNow().UtcDateTime);
        return Task.CompletedTask;
    }
}
