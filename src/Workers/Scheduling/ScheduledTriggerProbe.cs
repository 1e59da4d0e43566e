using Npgsql;
using Quartz;

namespace BookMyShow.Workers.Scheduling;

/// <summary>
/// Tells the scheduled-message jobs fired ahead whether their trigger still exists (a cancel deletes it), just before
/// their time. The questions asked at the same moment share one query: a thousand messages due together would
/// otherwise be a thousand queries queued on the connection pool in the half second before they are due.
/// </summary>
public sealed class ScheduledTriggerProbe(string? postgresConnectionString, string schedulerName, ISchedulerFactory schedulers)
{
    /// <summary>How long the first question of a batch waits for others to join it.</summary>
    static readonly TimeSpan Gathering = TimeSpan.FromMilliseconds(5);

    const int MaxBatch = 1000;

    readonly Lock _gate = new();
    readonly List<(string Name, TaskCompletionSource<bool> Answer)> _pending = [];
    bool _answering;

    public async Task<bool> ExistsAsync(TriggerKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (postgresConnectionString is null || key.Group != ScheduledMessageJob.Group)
        {
            // The in-memory store answers at once.
            var scheduler = await schedulers.GetScheduler(cancellationToken);
            return await scheduler.Exists(key, cancellationToken);
        }

        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _pending.Add((key.Name, answer));
            start = !_answering;
            _answering = true;
        }
        if (start)
        {
            _ = Task.Run(AnswerPendingAsync, CancellationToken.None);
        }
        return await answer.Task.WaitAsync(cancellationToken);
    }

    async Task AnswerPendingAsync()
    {
        while (true)
        {
            await Task.Delay(Gathering);
            List<(string Name, TaskCompletionSource<bool> Answer)> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _answering = false;
                    return;
                }
                var count = Math.Min(_pending.Count, MaxBatch);
                batch = _pending.GetRange(0, count);
                _pending.RemoveRange(0, count);
            }

            try
            {
                var existing = await ExistingAsync(batch.Select(q => q.Name).ToArray());
                foreach (var (name, answer) in batch) answer.TrySetResult(existing.Contains(name));
            }
            catch (Exception ex)
            {
                foreach (var (_, answer) in batch) answer.TrySetException(ex);
            }
        }
    }

    async Task<HashSet<string>> ExistingAsync(string[] names)
    {
        await using var connection = new NpgsqlConnection(postgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT trigger_name FROM qrtz_triggers WHERE sched_name = @scheduler AND trigger_group = @group AND trigger_name = ANY(@names)", connection);
        command.Parameters.AddWithValue("scheduler", schedulerName);
        command.Parameters.AddWithValue("group", ScheduledMessageJob.Group);
        command.Parameters.AddWithValue("names", names);
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) existing.Add(reader.GetString(0));
        return existing;
    }
}
