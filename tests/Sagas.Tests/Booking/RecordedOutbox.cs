using System.Collections.Concurrent;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;

namespace BookMyShow.Sagas.Tests.Booking;

/// <summary>One message the saga handed to its outbox: published (with its message id) or sent (with its destination).</summary>
public sealed record OutboxRow(object Message, Guid? MessageId, Uri? Destination);

/// <summary>
/// Stands in for the outbox table: keeps every message the saga publishes or sends, in order. (The harness's own
/// lists keep one entry per message id, which would hide an event published twice under one id.)
/// </summary>
public sealed class RecordedOutbox : IBookingOutbox
{
    readonly ConcurrentQueue<OutboxRow> _rows = new();

    public Task PublishAsync<T>(ConsumeContext context, T message, Guid messageId) where T : class
    {
        _rows.Enqueue(new OutboxRow(message, messageId, null));
        return Task.CompletedTask;
    }

    public Task SendAsync<T>(ConsumeContext context, T message, Uri destination) where T : class
    {
        _rows.Enqueue(new OutboxRow(message, null, destination));
        return Task.CompletedTask;
    }

    public IReadOnlyList<OutboxRow> All => [.. _rows];
}
