using BookMyShow.Core.Outbox;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Core.Messaging;

/// <summary>A part of the application that brings consumers and receive endpoints to the one bus of a process.</summary>
public interface IBusContribution
{
    void AddConsumers(IBusRegistrationConfigurator bus);

    void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus, TransportKind transport);
}

public static class BusExtensions
{
    /// <summary>Configures MassTransit on the transport named by Messaging:Transport, with the given contributions.</summary>
    public static IServiceCollection AddBookMyShowBus(this IServiceCollection services, IConfiguration configuration, params IBusContribution[] contributions)
    {
        services.AddOptions<MessagingOptions>().Bind(configuration.GetSection(MessagingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        services.AddSingleton(new Partitioning(options.Partitions));
        services.AddSingleton(sp => new PartitionRouter(sp.GetRequiredService<Partitioning>(), options.Transport));
        services.AddSingleton<OutboxSignal>();
        // The host is ready only when the bus is: a 202 needs a connected broker.
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });

        services.AddMassTransit(x =>
        {
            foreach (var contribution in contributions) contribution.AddConsumers(x);

            switch (options.Transport)
            {
                case TransportKind.RabbitMq:
                    var uri = configuration.GetConnectionString("RabbitMq");
                    if (string.IsNullOrWhiteSpace(uri))
                    {
                        throw new InvalidOperationException("Messaging:Transport is RabbitMq but ConnectionStrings:RabbitMq is not set.");
                    }
                    var broker = BrokerAddress.Parse(uri);
                    x.UsingRabbitMq((context, cfg) =>
                    {
                        cfg.Host(broker.Host, broker.Port, broker.VirtualHost, h =>
                        {
                            h.Username(broker.Username);
                            h.Password(broker.Password);
                            h.PublisherConfirmation = true;
                        });
                        foreach (var contribution in contributions) contribution.ConfigureEndpoints(context, cfg, TransportKind.RabbitMq);
                    });
                    break;
                default:
                    x.UsingInMemory((context, cfg) =>
                    {
                        foreach (var contribution in contributions) contribution.ConfigureEndpoints(context, cfg, TransportKind.InMemory);
                    });
                    break;
            }
        });
        return services;
    }
}

/// <summary>An amqp://user:pass@host:port/vhost connection string, taken apart.</summary>
public sealed record BrokerAddress(string Host, ushort Port, string VirtualHost, string Username, string Password)
{
    public static BrokerAddress Parse(string value)
    {
        var uri = new Uri(value);
        if (uri.Scheme is not ("amqp" or "rabbitmq"))
        {
            throw new InvalidOperationException($"ConnectionStrings:RabbitMq must be an amqp:// URI, not '{uri.Scheme}://'.");
        }
        var user = "guest";
        var password = "guest";
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1) password = Uri.UnescapeDataString(parts[1]);
        }
        var vhost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new BrokerAddress(uri.Host, (ushort)(uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port), vhost.Length == 0 ? "/" : vhost, user, password);
    }
}

/// <summary>Addresses of the partition queues for the transport in use.</summary>
public sealed class PartitionRouter(Partitioning partitioning, TransportKind transport)
{
    public Partitioning Partitioning => partitioning;

    // On RabbitMQ we send to the queue's exchange: "queue:" would redeclare the queue, which fails against a quorum queue.
    public Uri AddressOf(string showId) => AddressOfPartition(partitioning.PartitionOf(showId));

    public Uri AddressOfPartition(int partition) => AddressOfEndpoint(Partitioning.QueueName(partition));

    /// <summary>The address to send to a receive endpoint by its queue name.</summary>
    public Uri AddressOfEndpoint(string queueName) => transport == TransportKind.RabbitMq
        ? new Uri($"exchange:{queueName}")
        : new Uri($"queue:{queueName}");

    /// <summary>Sends to the show's partition, waiting for the broker's confirm; fails if no queue is bound.</summary>
    public Task SendAsync<T>(ISendEndpointProvider provider, string showId, T message, CancellationToken ct) where T : class =>
        SendToPartitionAsync(provider, partitioning.PartitionOf(showId), message, ct);

    /// <summary>Sends to a partition, waiting for the broker's confirm; fails if no queue is bound.</summary>
    public async Task SendToPartitionAsync<T>(ISendEndpointProvider provider, int partition, T message, CancellationToken ct) where T : class
    {
        var endpoint = await provider.GetSendEndpoint(AddressOfPartition(partition));
        await endpoint.Send(message, ctx =>
        {
            if (ctx.TryGetPayload<RabbitMqSendContext>(out var rabbit)) rabbit.Mandatory = true;
        }, ct);
    }
}
