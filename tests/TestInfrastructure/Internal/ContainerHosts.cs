using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace BookMyShow.TestInfrastructure.Internal;

/// <summary>PostgreSQL in a Testcontainers container (image: BMS_TEST_POSTGRES_IMAGE or postgres:15-alpine).</summary>
internal sealed class ContainerPostgres : IPostgresHost
{
    private readonly PostgreSqlContainer _container;

    private ContainerPostgres(PostgreSqlContainer container) => _container = container;

    public ServiceSource Source => ServiceSource.Container;

    public string AdminConnectionString => _container.GetConnectionString();

    public string Description => $"PostgreSQL container {_container.Image.FullName} ({_container.Hostname}:{_container.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort)})";

    public bool CanControl => false;

    public static async Task<ContainerPostgres> CreateAsync(CancellationToken cancellationToken)
    {
        var image = Environment.GetEnvironmentVariable("BMS_TEST_POSTGRES_IMAGE") ?? "postgres:15-alpine";
        var container = new PostgreSqlBuilder(image)
            .WithCommand("-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=300")
            .Build();
        try
        {
            await container.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await container.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new ContainerPostgres(container);
    }

    public Task StopAsync(bool kill, CancellationToken cancellationToken) => throw ExternalPostgres.NotLocal();

    public Task StartAsync(CancellationToken cancellationToken) => throw ExternalPostgres.NotLocal();

    public string Diagnostics(int lines) => Description;

    public ValueTask DisposeAsync() => _container.DisposeAsync();
}

/// <summary>RabbitMQ in a Testcontainers container (image: BMS_TEST_RABBITMQ_IMAGE or rabbitmq:3.13-alpine).</summary>
internal sealed class ContainerRabbitMq : IRabbitMqHost
{
    private readonly RabbitMqContainer _container;

    private ContainerRabbitMq(RabbitMqContainer container)
    {
        _container = container;
        Uri = new Uri(container.GetConnectionString());
    }

    public ServiceSource Source => ServiceSource.Container;

    public Uri Uri { get; }

    public string Description => $"RabbitMQ container {_container.Image.FullName} ({Uri.Host}:{Uri.Port})";

    public bool CanControl => false;

    public static async Task<ContainerRabbitMq> CreateAsync(CancellationToken cancellationToken)
    {
        var image = Environment.GetEnvironmentVariable("BMS_TEST_RABBITMQ_IMAGE") ?? "rabbitmq:3.13-alpine";
        var container = new RabbitMqBuilder(image).Build();
        try
        {
            await container.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await container.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new ContainerRabbitMq(container);
    }

    public async Task<Uri> CreateVirtualHostAsync(string name, CancellationToken cancellationToken)
    {
        await ExecAsync(["rabbitmqctl", "-q", "add_vhost", name], cancellationToken).ConfigureAwait(false);
        await ExecAsync(
            ["rabbitmqctl", "-q", "set_permissions", "-p", name, AmqpUris.UserName(Uri), ".*", ".*", ".*"],
            cancellationToken).ConfigureAwait(false);
        return AmqpUris.WithVirtualHost(Uri, name);
    }

    public Task StopAsync(bool kill, CancellationToken cancellationToken) => throw ExternalPostgres.NotLocal();

    public Task StartAsync(CancellationToken cancellationToken) => throw ExternalPostgres.NotLocal();

    public string Diagnostics(int lines) => Description;

    public ValueTask DisposeAsync() => _container.DisposeAsync();

    private async Task ExecAsync(IList<string> command, CancellationToken cancellationToken)
    {
        var result = await _container.ExecAsync(command, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{string.Join(' ', command)}' in the RabbitMQ container failed with exit code {result.ExitCode}: {result.Stderr}{result.Stdout}");
        }
    }
}
