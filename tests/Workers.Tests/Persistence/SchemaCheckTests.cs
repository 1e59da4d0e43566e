using BookMyShow.Core.Catalog;
using BookMyShow.Core.Persistence;
using BookMyShow.TestInfrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BookMyShow.Workers.Tests.Persistence;

/// <summary>A database made by an older build stops the start with a clear message instead of failing later, query by query.</summary>
public sealed class SchemaCheckTests : IDisposable
{
    readonly string _file = Path.Combine(Path.GetTempPath(), $"schema-{Guid.NewGuid():N}.db");
    readonly List<ServiceProvider> _providers = [];

    public void Dispose()
    {
        foreach (var provider in _providers) provider.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }

    SchemaInitializer Initializer() => Initializer(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["ConnectionStrings:Sqlite"] = $"Data Source={_file}",
    });

    SchemaInitializer Initializer(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBookingDatabase(configuration);
        var provider = services.BuildServiceProvider(validateScopes: true);
        _providers.Add(provider);
        return new SchemaInitializer(provider.GetRequiredService<IDbContextFactory<BookingDbContext>>(), Options.Create(new CatalogOptions { DemoDays = 2 }), // today's shows end in the evening: tomorrow's are always ahead
            TimeProvider.System, NullLogger<SchemaInitializer>.Instance);
    }

    [Fact]
    public async Task Database_made_by_an_older_build_stops_the_start_and_names_what_is_missing()
    {
        // An older build's holds table: no payment or warning columns, no other tables.
        await using (var connection = new SqliteConnection($"Data Source={_file}"))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE holds (id TEXT PRIMARY KEY, show_id TEXT NOT NULL, status TEXT NOT NULL)";
            await create.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Initializer().EnsureAsync(CancellationToken.None));

        Assert.Contains("older build", error.Message);
        Assert.Contains("holds: SQLite Error 1: 'no such column", error.Message);
        Assert.Contains("hold_requests: SQLite Error 1: 'no such table", error.Message);
        Assert.Contains("data/bookmyshow.db", error.Message);
    }

    [Fact]
    public async Task Older_PostgreSQL_database_is_refused_with_one_line_per_table_and_left_unchanged()
    {
        var services = await TestServices.Shared;
        var connectionString = await services.CreateDatabaseAsync("schema_check");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE holds (id uuid PRIMARY KEY, show_id uuid NOT NULL, status text NOT NULL)", connection);
            await create.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Initializer(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Postgres"] = connectionString,
        }).EnsureAsync(CancellationToken.None));

        Assert.Contains("older build", error.Message);
        Assert.Contains("holds: 42703: column", error.Message);
        Assert.Contains("hold_requests: 42P01: relation \"hold_requests\" does not exist", error.Message);
        // PostgreSQL's messages go on with "POSITION: n" on further lines; the refusal keeps the first line of each.
        Assert.DoesNotContain("POSITION", error.Message);
        Assert.DoesNotContain('\n', error.Message);

        // Nothing was created or changed: still the one old table, and the schema lock is free again.
        await using var check = new NpgsqlConnection(connectionString);
        await check.OpenAsync();
        await using var tables = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", check);
        Assert.Equal(1L, (long)(await tables.ExecuteScalarAsync())!);
        await using var locks = new NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", check);
        Assert.Equal(0L, (long)(await locks.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Database_made_by_this_build_starts_again_without_complaint()
    {
        await Initializer().EnsureAsync(CancellationToken.None);

        // The second start finds the schema and the catalog there, checks them and changes nothing.
        await Initializer().EnsureAsync(CancellationToken.None);
        await using var db = await _providers[^1].GetRequiredService<IDbContextFactory<BookingDbContext>>().CreateDbContextAsync();
        Assert.True(await db.Shows.AnyAsync());
    }
}
