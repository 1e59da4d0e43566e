using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>
/// Puts a message on the broker exactly as MassTransit would (its JSON envelope, on the message type's exchange):
/// used to redeliver an event with the same message id, as an outbox dispatcher that crashed after sending does.
/// </summary>
public static class EventPublisher
{
    public static async Task PublishAsync(Uri broker, string messageType, Guid messageId, object message, int copies = 1)
    {
        var envelope = JsonSerializer.SerializeToUtf8Bytes(new
        {
            messageId = messageId.ToString("D"),
            messageType = new[] { $"urn:message:{messageType}" },
            sentTime = DateTime.UtcNow,
            message,
        });
        await using var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        for (var i = 0; i < copies; i++)
        {
            var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", MessageId = messageId.ToString("D"), DeliveryMode = DeliveryModes.Persistent };
            await channel.BasicPublishAsync(messageType, "", mandatory: false, properties, envelope);
        }
    }
}
