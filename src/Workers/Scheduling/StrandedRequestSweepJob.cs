using BookMyShow.Core.Holds;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace BookMyShow.Workers.Scheduling;

/// <summary>
/// Backstop for admission: a gateway that dies after recording a request QUEUED and before the broker confirmed its
/// PlaceHold leaves a request nobody will decide. Requests still QUEUED <see cref="HoldOptions.StrandedRequestAfter"/>
/// after their admission are handed to their partition again, oldest first, at most SweepBatchSize per run. The
/// partition decides each request once; a copy of one that was only waiting behind a backlog is ignored.
/// </summary>
[DisallowConcurrentExecution]
public sealed class StrandedRequestSweepJob(
    IDbContextFactory<BookingDbContext> contexts,
    PartitionRouter router,
    ISendEndpointProvider sender,
    IOptions<HoldOptions> options,
    TimeProvider time,
    ILogger<StrandedRequestSweepJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var admittedBefore = time.GetUtcNow().UtcDateTime - options.Value.StrandedRequestAfter;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var stranded = await db.HoldRequests.AsNoTracking()
            .Where(r => r.Status == RequestStatus.Queued && r.AdmittedAt < admittedBefore)
            .OrderBy(r => r.AdmittedAt)
            .Take(options.Value.SweepBatchSize)
            .ToListAsync(ct);
        foreach (var request in stranded)
        {
            await router.SendAsync(sender, request.ShowId, request.ToPlaceHold(), ct);
        }
        if (stranded.Count > 0)
        {
            logger.LogWarning("Stranded-request sweep handed {Count} hold requests still QUEUED after {After} to their partitions again",
                stranded.Count, options.Value.StrandedRequestAfter);
        }
    }
}
