using BookMyShow.TestInfrastructure;
using BookMyShow.Workers.Scheduling;
using Npgsql;

namespace BookMyShow.Scheduling.Tests;

public sealed class QuartzSchemaTests
{
    [Fact]
    public async Task Workers_starting_together_create_the_quartz_tables_once_and_later_starts_change_nothing()
    {
        var services = await TestServices.Shared;
        var postgres = await services.CreateDatabaseAsync("quartzschema");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => QuartzSchema.EnsureAsync(postgres, CancellationToken.None)));
        var first = await DescribeAsync(postgres);
        await QuartzSchema.EnsureAsync(postgres, CancellationToken.None);

        Assert.Equal(
            ["qrtz_blob_triggers", "qrtz_calendars", "qrtz_cron_triggers", "qrtz_fired_triggers", "qrtz_job_details", "qrtz_locks",
             "qrtz_paused_job_grps", "qrtz_paused_trigger_grps", "qrtz_scheduler_state", "qrtz_simple_triggers", "qrtz_simprop_triggers", "qrtz_triggers"],
            first.Tables);
        Assert.Equal(first, await DescribeAsync(postgres));
    }

    sealed record Schema(IReadOnlyList<string> Tables, int Columns, int Indexes)
    {
        public bool Equals(Schema? other) => other is not null && Tables.SequenceEqual(other.Tables) && Columns == other.Columns && Indexes == other.Indexes;

        public override int GetHashCode() => HashCode.Combine(Tables.Count, Columns, Indexes);
    }

    static async Task<Schema> DescribeAsync(string postgres)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var command = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        await using var columns = new NpgsqlCommand("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'", connection);
        await using var indexes = new NpgsqlCommand("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'", connection);
        return new Schema(tables, (int)(long)(await columns.ExecuteScalarAsync())!, (int)(long)(await indexes.ExecuteScalarAsync())!);
    }
}
