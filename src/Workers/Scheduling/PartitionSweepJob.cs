using BookMyShow.Core.Holds;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace BookMyShow.Workers.Scheduling;

/// <summary>
/// A backstop sweep: finds, in one query, work a partition should have done and hands it to the show's partition, the
/// single writer of seat state, which treats a repeat as a no-op. At most <see cref="HoldOptions.SweepBatchSize"/>
/// rows per run. Subclasses say what to look for and what to send; each keeps <c>[DisallowConcurrentExecution]</c>.
/// </summary>
public abstract class PartitionSweepJob<TMessage>(
    IDbContextFactory<BookingDbContext> contexts,
    PartitionRouter router,
    ISendEndpointProvider sender,
    IOptions<HoldOptions> options,
    TimeProvider time) : IJob
    where TMessage : class
{
    protected HoldOptions Options => options.Value;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var (found, messages) = await FindAsync(db, time.GetUtcNow().UtcDateTime, ct);
        foreach (var (showId, message) in messages)
        {
            await router.SendAsync(sender, showId, message, ct);
        }
        if (found > 0) Report(found);
    }

    /// <summary>The rows found (at most SweepBatchSize) and the messages to send for them, each with its show.</summary>
    protected abstract Task<(int Found, IEnumerable<(string ShowId, TMessage Message)> Messages)> FindAsync(
        BookingDbContext db, DateTime now, CancellationToken ct);

    /// <summary>Logs a run that found something.</summary>
    protected abstract void Report(int found);
}
