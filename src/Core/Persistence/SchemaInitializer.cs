using BookMyShow.Core.Catalog;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BookMyShow.Core.Persistence;

/// <summary>
/// Creates the schema and loads the catalog when they are missing. Several processes may start at once:
/// on PostgreSQL an advisory lock makes them take turns.
/// </summary>
public sealed class SchemaInitializer(
    IDbContextFactory<BookingDbContext> contexts,
    IOptions<CatalogOptions> catalog,
    TimeProvider time,
    ILogger<SchemaInitializer> logger)
{
    const long AdvisoryLockKey = 0x0B00_4D59_5348_4F57;

    public async Task EnsureAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (db.IsPostgres)
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
            }
            else
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            }

            if (await db.Database.EnsureCreatedAsync(ct))
            {
                logger.LogInformation("Created the database schema");
            }
            else
            {
                await SchemaCheck.VerifyAsync(db, ct);
            }

            if (!await CatalogLoader.IsLoadedAsync(db, ct))
            {
                var options = catalog.Value;
                var doc = string.IsNullOrWhiteSpace(options.File)
                    ? DemoCatalog.Create(time.GetUtcNow(), options.DemoDays)
                    : await CatalogLoader.ReadFileAsync(options.File, ct);
                await CatalogLoader.LoadAsync(db, doc, ct);
                logger.LogInformation("Loaded the catalog from {Source}: {Shows} shows", string.IsNullOrWhiteSpace(options.File) ? "demo data" : options.File, doc.Shows.Count);
            }
        }
        finally
        {
            // Also when this failed: pooled connections keep their session (No Reset On Close), and with it the lock.
            if (db.IsPostgres)
            {
                try
                {
                    await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
                }
                catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
                {
                    // The connection is gone, and the session's lock with it.
                }
            }
            await db.Database.CloseConnectionAsync();
        }
    }
}

/// <summary>Runs <see cref="SchemaInitializer"/> before the rest of the host starts.</summary>
public sealed class SchemaInitializerService(SchemaInitializer initializer, IOptions<DatabaseOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.ApplySchemaOnStart ? initializer.EnsureAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
