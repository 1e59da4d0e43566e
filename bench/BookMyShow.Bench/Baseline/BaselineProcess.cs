using System.Globalization;
using System.Net;
using BookMyShow.TestInfrastructure;

namespace BookMyShow.Bench.Baseline;

/// <summary>
/// The baseline server as a process of its own (this program's <c>baseline-server</c> subcommand), so it does not
/// share the load generator's thread pool, on a database of its own with the product's schema and the same catalog.
/// </summary>
public sealed class BaselineProcess : IAsyncDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    BaselineProcess(ChildProcess process, Uri baseAddress, string connectionString)
    {
        Process = process;
        BaseAddress = baseAddress;
        ConnectionString = connectionString;
    }

    public ChildProcess Process { get; }
    public Uri BaseAddress { get; }
    public string ConnectionString { get; }

    public static async Task<BaselineProcess> StartAsync(TestServices services, string catalogFile, TimeSpan ttl, int pool)
    {
        var database = await services.CreateDatabaseAsync("baseline");
        // The product creates the schema and loads the catalog, exactly as for the pipeline's database.
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Postgres"] = database,
            ["Messaging__Transport"] = "RabbitMq",
            ["ConnectionStrings__RabbitMq"] = services.RabbitMqUri.ToString(),
            ["Catalog__File"] = Path.GetFullPath(catalogFile),
            ["Logging__LogLevel__Default"] = "Warning",
        };
        await using (var schema = ChildProcess.StartDotnet(Deployment.WorkerDll, ["--apply-schema"], environment, name: "baseline-schema"))
        {
            var exit = await schema.WaitForExitAsync(StartTimeout);
            if (exit != 0) throw new InvalidOperationException($"Applying the schema to the baseline database failed ({exit}):\n{schema.Tail(40)}");
        }

        var port = FreePort.Next();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var process = ChildProcess.StartDotnet(typeof(BaselineProcess).Assembly.Location,
            ["baseline-server", "--urls", baseAddress.ToString().TrimEnd('/'), "--postgres", database,
             "--pool", pool.ToString(CultureInfo.InvariantCulture), "--ttl", ttl.ToString("c", CultureInfo.InvariantCulture)],
            new Dictionary<string, string?>(Scenarios.BenchContext.ServerJit) { ["DOTNET_ENVIRONMENT"] = "Production" },
            name: "baseline");
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Deadline.UntilAsync(async () =>
            {
                if (process.HasExited) throw new InvalidOperationException($"The baseline server exited:\n{process.Tail(40)}");
                try
                {
                    using var response = await http.GetAsync(new Uri("/health", UriKind.Relative));
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, StartTimeout, "the baseline server to answer");
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        return new BaselineProcess(process, baseAddress, database);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
