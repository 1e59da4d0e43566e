using BookMyShow.Core.Catalog;
using BookMyShow.Core.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

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

    SchemaInitializer Initializer()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Sqlite"] = $"Data Source={_file}",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBookingDatabase(configuration);
        var provider = services.BuildServiceProvider(validateScopes: true);
        _providers.Add(provider);
        return new SchemaInitializer(provider.GetRequiredService<IDbContextFactory<BookingDbContext>>(), Options.Create(new CatalogOptions { DemoDays = 1 }),
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
    public async Task Database_made_by_this_build_starts_again_without_complaint()
    {
        await Initializer().EnsureAsync(CancellationToken.None);

        // The second start finds the schema and the catalog there, checks them and changes nothing.
        await Initializer().EnsureAsync(CancellationToken.None);
        await using var db = await _providers[^1].GetRequiredService<IDbContextFactory<BookingDbContext>>().CreateDbContextAsync();
        Assert.True(await db.Shows.AnyAsync());
    }
}
