using BookMyShow.Contracts.Holds;
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
    ILogger<StrandedRequestSweepJob> logger) : PartitionSweepJob<PlaceHold>(contexts, router, sender, options, time)
{
    protected override async Task<(int Found, IEnumerable<(string ShowId, PlaceHold Message)> Messages)> FindAsync(
        BookingDbContext db, DateTime now, CancellationToken ct)
    {
        var admittedBefore = now - Options.StrandedRequestAfter;
        var stranded = await db.HoldRequests.AsNoTracking()
            .Where(r => r.Status == RequestStatus.Queued && r.AdmittedAt < admittedBefore)
            .OrderBy(r => r.AdmittedAt)
            .Take(Options.SweepBatchSize)
            .ToListAsync(ct);
        return (stranded.Count, stranded.Select(r => (r.ShowId, r.ToPlaceHold())));
    }

    protected override void Report(int found) =>
        logger.LogWarning("Stranded-request sweep handed {Count} hold requests still QUEUED after {After} to their partitions again",
            found, Options.StrandedRequestAfter);
}
