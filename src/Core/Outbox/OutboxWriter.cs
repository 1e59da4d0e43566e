using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BookMyShow.Core.Persistence;
using MassTransit;

namespace BookMyShow.Core.Outbox;

/// <summary>Adds messages to the outbox of the transaction the context is in; they leave after it commits.</summary>
public static class OutboxWriter
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <param name="messageId">
    /// Give one derived from the message being handled (<see cref="DerivedMessageId"/>) when a redelivery of that
    /// message could write this row again: consumers then see the same id twice and their inbox drops the copy.
    /// </param>
    public static void Publish<T>(this BookingDbContext db, T message, DateTime now, Guid? messageId = null) where T : class =>
        Add(db, message, destination: null, now, messageId);

    public static void Send<T>(this BookingDbContext db, T message, Uri destination, DateTime now, Guid? messageId = null) where T : class =>
        Add(db, message, destination.ToString(), now, messageId);

    /// <summary>
    /// The outbox row of a message its writer sends itself once its transaction commits (a partition, ADR 0022): left to
    /// the dispatcher only from <paramref name="dispatchAfter"/> on, in case the writer dies before sending or deleting it.
    /// </summary>
    public static OutboxMessage Row(Guid messageId, object message, Type type, Uri? destination, DateTime now, DateTime dispatchAfter) => new()
    {
        MessageId = messageId,
        MessageType = type.FullName!,
        Body = JsonSerializer.Serialize(message, type, Json),
        Destination = destination?.ToString(),
        CreatedAt = now,
        DispatchAfter = dispatchAfter,
    };

    /// <summary>A message id that is the same every time <paramref name="consumed"/> is handled again.</summary>
    public static Guid DerivedMessageId(Guid consumed, string purpose)
    {
        Span<byte> input = stackalloc byte[16 + Encoding.UTF8.GetMaxByteCount(purpose.Length)];
        consumed.TryWriteBytes(input);
        var length = 16 + Encoding.UTF8.GetBytes(purpose, input[16..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input[..length], hash);
        return new Guid(hash[..16]);
    }

    static void Add<T>(BookingDbContext db, T message, string? destination, DateTime now, Guid? messageId) where T : class
    {
        db.Outbox.Add(new OutboxMessage
        {
            MessageId = messageId ?? NewId.NextGuid(),
            MessageType = typeof(T).FullName!,
            Body = JsonSerializer.Serialize(message, Json),
            Destination = destination,
            CreatedAt = now,
        });
    }
}
