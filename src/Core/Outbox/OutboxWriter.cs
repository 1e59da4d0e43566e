using System.Text.Json;
using BookMyShow.Core.Persistence;
using MassTransit;

namespace BookMyShow.Core.Outbox;

/// <summary>Adds messages to the outbox of the transaction the context is in; they leave after it commits.</summary>
public static class OutboxWriter
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Publish<T>(this BookingDbContext db, T message, DateTime now) where T : class =>
        Add(db, message, destination: null, now);

    public static void Send<T>(this BookingDbContext db, T message, Uri destination, DateTime now) where T : class =>
        Add(db, message, destination.ToString(), now);

    static void Add<T>(BookingDbContext db, T message, string? destination, DateTime now) where T : class
    {
        db.Outbox.Add(new OutboxMessage
        {
            MessageId = NewId.NextGuid(),
            MessageType = typeof(T).FullName!,
            Body = JsonSerializer.Serialize(message, Json),
            Destination = destination,
            CreatedAt = now,
        });
    }
}
