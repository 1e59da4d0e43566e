namespace BookMyShow.TestInfrastructure.Internal;

/// <summary>Finds the server binaries used in local-process mode.</summary>
internal static class LocalTools
{
    public const string InstallHint =
        "Run scripts/test.sh (it installs postgresql and rabbitmq-server), or set BMS_TEST_POSTGRES and " +
        "BMS_TEST_RABBITMQ to servers of your own, or make a Docker engine reachable.";

    /// <summary>The folder holding initdb and postgres: BMS_TEST_PG_BIN, the newest /usr/lib/postgresql/N/bin, or PATH.</summary>
    public static string FindPostgresBinDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("BMS_TEST_PG_BIN");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return HasPostgres(fromEnvironment)
                ? fromEnvironment
                : throw new InvalidOperationException($"BMS_TEST_PG_BIN={fromEnvironment} holds no initdb and postgres.");
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: double.TryParse(Path.GetFileName(dir), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(candidate => HasPostgres(candidate.Dir))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Dir)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        var initdb = FindOnPath("initdb");
        if (initdb is not null && HasPostgres(Path.GetDirectoryName(initdb)!))
        {
            return Path.GetDirectoryName(initdb)!;
        }

        throw new InvalidOperationException(
            "Cannot start a local PostgreSQL for tests: initdb and postgres were not found " +
            $"(looked in BMS_TEST_PG_BIN, {debianRoot}/*/bin and PATH). {InstallHint}");
    }

    /// <summary>
    /// A RabbitMQ script (rabbitmq-server, rabbitmqctl). Debian's /usr/sbin entries are wrappers that switch to
    /// the rabbitmq user and use its home and cookie, so the scripts behind them are preferred.
    /// </summary>
    public static string FindRabbitMqScript(string name)
    {
        string[] candidates =
        [
            Path.Combine("/usr/lib/rabbitmq/bin", name),
            Path.Combine("/usr/local/lib/rabbitmq/bin", name),
            Path.Combine("/opt/rabbitmq/sbin", name),
        ];
        var found = candidates.FirstOrDefault(File.Exists) ?? FindOnPath(name);
        return found ?? throw new InvalidOperationException(
            $"Cannot start a local RabbitMQ for tests: {name} was not found (looked in /usr/lib/rabbitmq/bin and PATH). {InstallHint}");
    }

    /// <summary>Erlang's port mapper daemon.</summary>
    public static string FindEpmd()
    {
        var found = FindOnPath("epmd");
        if (found is null && Directory.Exists("/usr/lib/erlang"))
        {
            found = Directory.GetDirectories("/usr/lib/erlang", "erts-*")
                .Select(dir => Path.Combine(dir, "bin", "epmd"))
                .Where(File.Exists)
                .OrderDescending(StringComparer.Ordinal)
                .FirstOrDefault();
        }

        return found ?? throw new InvalidOperationException(
            $"Cannot start a local RabbitMQ for tests: Erlang's epmd was not found. {InstallHint}");
    }

    public static string Require(string name) =>
        FindOnPath(name) ?? throw new InvalidOperationException($"The command '{name}' was not found on PATH; local test servers need it.");

    public static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        IEnumerable<string> directories = path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        // Root's PATH normally has the sbin folders, but a test runner's environment may not.
        directories = directories.Concat(["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]);
        return directories.Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
    }

    private static bool HasPostgres(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "postgres"));
}
