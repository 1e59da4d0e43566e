using System.Net;

namespace BookMyShow.TestInfrastructure;

/// <summary>
/// The system as real processes: one embedded gateway, or a gateway and workers on RabbitMQ and PostgreSQL.
/// Used by the end-to-end tests and the benchmarks; runs the Gateway and Workers builds of the same configuration
/// (Debug or Release) as the calling assembly.
/// </summary>
public sealed class Deployment : IAsyncDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    const string SigningKey = "end-to-end-tests-signing-key-0123456789abcdef";

    readonly string _directory = Directory.CreateTempSubdirectory("bms-e2e-").FullName;
    readonly Dictionary<string, string?> _environment = new();
    readonly List<ChildProcess> _workers = [];
    readonly List<(ChildProcess Process, ApiClient Api)> _extraGateways = [];

    public ChildProcess Gateway { get; private set; } = null!;
    public IReadOnlyList<ChildProcess> Workers => _workers;
    public ApiClient Api { get; private set; } = null!;
    public string? PostgresConnectionString { get; private set; }
    /// <summary>The embedded mode's SQLite database.</summary>
    public string? SqliteConnectionString { get; private set; }
    public Uri? RabbitMqUri { get; private set; }
    /// <summary>The settings every process of this deployment starts with (environment variables).</summary>
    public IReadOnlyDictionary<string, string?> Environment => _environment;

    /// <param name="catalogFile">The catalog JSON loaded into the empty database; null: the product's demo catalog.</param>
    public static async Task<Deployment> StartEmbeddedAsync(IDictionary<string, string?>? settings = null, string? catalogFile = null)
    {
        var deployment = new Deployment();
        deployment._environment["Gateway__Embedded"] = "true";
        deployment._environment["Messaging__Transport"] = "InMemory";
        deployment._environment["Database__Provider"] = "Sqlite";
        deployment.SqliteConnectionString = $"Data Source={Path.Combine(deployment._directory, "bookmyshow.db")}";
        deployment._environment["ConnectionStrings__Sqlite"] = deployment.SqliteConnectionString;
        deployment._environment["Auth__DevTokens"] = "true";
        deployment.Apply(settings, catalogFile);
        await deployment.StartGatewayAsync();
        return deployment;
    }

    /// <param name="catalogFile">The catalog JSON loaded into the empty database; null: the product's demo catalog.</param>
    public static async Task<Deployment> StartDistributedAsync(
        int workers, IDictionary<string, string?>? settings = null, TestServices? servers = null, string? catalogFile = null)
    {
        var services = servers ?? await TestServices.Shared;
        var deployment = new Deployment
        {
            PostgresConnectionString = await services.CreateDatabaseAsync("e2e"),
            RabbitMqUri = await services.CreateVirtualHostAsync("e2e"),
        };
        deployment._environment["Gateway__Embedded"] = "false";
        deployment._environment["Messaging__Transport"] = "RabbitMq";
        deployment._environment["Database__Provider"] = "Postgres";
        deployment._environment["ConnectionStrings__Postgres"] = deployment.PostgresConnectionString;
        deployment._environment["ConnectionStrings__RabbitMq"] = deployment.RabbitMqUri.ToString();
        deployment._environment["Auth__SigningKey"] = SigningKey;
        deployment._environment["Auth__DevTokens"] = "true";
        deployment.Apply(settings, catalogFile);

        // Schema first, as scripts/run-distributed.sh does, then the processes.
        await using (var schema = ChildProcess.StartDotnet(WorkerDll, ["--apply-schema"], deployment._environment, name: "schema"))
        {
            var exit = await schema.WaitForExitAsync(StartTimeout);
            if (exit != 0) throw new InvalidOperationException($"Applying the schema failed ({exit}):\n{schema.Tail(40)}");
        }
        for (var i = 0; i < workers; i++) await deployment.StartWorkerAsync();
        await deployment.StartGatewayAsync();
        return deployment;
    }

    void Apply(IDictionary<string, string?>? settings, string? catalogFile)
    {
        _environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        _environment["DOTNET_ENVIRONMENT"] = "Production";
        if (catalogFile is not null) _environment["Catalog__File"] = Path.GetFullPath(catalogFile);
        _environment["Logging__LogLevel__Default"] = "Warning";
        _environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        // The product turns tiered compilation off (ADR 0012: no JIT in the middle of an on-sale). Tests start dozens
        // of short-lived processes, so they start them with quick JIT; the bench passes "0" to measure the product's way.
        _environment["DOTNET_TieredCompilation"] = "1";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) _environment[key] = value;
    }

    public async Task<ChildProcess> StartWorkerAsync()
    {
        var worker = ChildProcess.StartDotnet(WorkerDll, environment: _environment, name: $"worker-{_workers.Count + 1}");
        _workers.Add(worker);
        try
        {
            await worker.WaitForOutputAsync("Application started", StartTimeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{worker} did not start:\n{worker.Tail(40)}", e);
        }
        return worker;
    }

    /// <summary>Runs the worker program once with <paramref name="args"/> (an operator command) and returns its exit code and output.</summary>
    public async Task<(int Exit, string Output)> RunWorkerCommandAsync(params string[] args)
    {
        await using var tool = ChildProcess.StartDotnet(WorkerDll, args, _environment, name: "worker-command");
        var exit = await tool.WaitForExitAsync(StartTimeout);
        return (exit, tool.Tail(40));
    }

    async Task StartGatewayAsync() => (Gateway, Api) = await LaunchGatewayAsync("gateway");

    /// <summary>Kills the gateway process (SIGKILL) and starts it again with the same settings and data.</summary>
    public async Task KillGatewayAsync()
    {
        Gateway.Kill();
        await Gateway.WaitForExitAsync(StartTimeout);
    }

    /// <summary>Starts the gateway again after <see cref="KillGatewayAsync"/>, with the same settings and data.</summary>
    public async Task RestartGatewayAsync()
    {
        await Gateway.DisposeAsync();
        Api.Dispose();
        await StartGatewayAsync();
    }

    /// <summary>Another gateway instance on the same broker and database.</summary>
    public async Task<ApiClient> StartExtraGatewayAsync()
    {
        var (process, api) = await LaunchGatewayAsync($"gateway-{_extraGateways.Count + 2}");
        _extraGateways.Add((process, api));
        return api;
    }

    async Task<(ChildProcess, ApiClient)> LaunchGatewayAsync(string name)
    {
        var port = FreePort.Next();
        var environment = new Dictionary<string, string?>(_environment) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" };
        var process = ChildProcess.StartDotnet(GatewayDll, environment: environment, name: name);
        var api = new ApiClient(new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await Deadline.UntilAsync(async () =>
            {
                if (process.HasExited) throw new InvalidOperationException($"{name} exited:\n{process.Tail(40)}");
                try
                {
                    using var response = await api.Http.GetAsync("/health/ready");
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, StartTimeout, $"{name} to be ready");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{process.Tail(40)}", e);
        }
        return (process, api);
    }

    public string Logs() =>
        string.Join("\n", new[] { Gateway }.Concat(_workers).Where(p => p is not null).Select(p => $"--- {p}\n{p.Tail(30)}"));

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        if (Gateway is not null) await Gateway.DisposeAsync();
        foreach (var (process, api) in _extraGateways)
        {
            api.Dispose();
            await process.DisposeAsync();
        }
        foreach (var worker in _workers) await worker.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { /* a process may still hold a file; the OS temp cleaner gets it */ }
    }

    static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Debug or Release: the same as this test assembly was built with.</summary>
    static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string GatewayDll => Path.Combine(RepoRoot, "src", "Gateway", "bin", Configuration, "net10.0", "BookMyShow.Gateway.dll");

    public static string WorkerDll => Path.Combine(RepoRoot, "src", "Workers", "bin", Configuration, "net10.0", "BookMyShow.Workers.dll");

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BookMyShow.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("BookMyShow.sln not found above " + AppContext.BaseDirectory);
    }
}
