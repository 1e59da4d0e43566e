using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace BookMyShow.Core.Persistence;

/// <summary>
/// Checks that an existing database has every table and column the model maps. <c>EnsureCreated</c> leaves a database
/// that already has tables as it is (ADR 0003), so one made by an older build would otherwise start and then fail on
/// every query that reads a newer column, in the background loops and as 500s.
/// </summary>
public static class SchemaCheck
{
    public static async Task VerifyAsync(BookingDbContext db, CancellationToken ct)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var problems = new List<string>();
        // Plain ADO.NET commands: a missing column is an expected answer here, not an EF Core command failure to log.
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            foreach (var entity in db.Model.GetEntityTypes())
            {
                var table = entity.GetTableName();
                if (table is null || entity.FindOwnership() is not null) continue;
                var columns = entity.GetProperties().Select(p => p.GetColumnName()).Distinct().ToList();
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT {string.Join(", ", columns.Select(sql.DelimitIdentifier))} FROM {sql.DelimitIdentifier(table)} WHERE 1 = 0";
                try
                {
                    await command.ExecuteNonQueryAsync(ct);
                }
                catch (DbException e)
                {
                    // The first line only: PostgreSQL's message goes on with the error's position in the statement.
                    problems.Add($"{table}: {e.Message.Split('\n')[0].Trim()}");
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                "The database was made by an older build: its schema lacks what this one maps (" + string.Join("; ", problems) + "). " +
                "Schema changes are not migrated yet (ADR 3): remove the embedded mode's SQLite file (data/bookmyshow.db) or recreate the database.");
        }
    }
}
