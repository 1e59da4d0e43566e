using BookMyShow.Core.Outbox;
using BookMyShow.Core.Persistence;
using BookMyShow.Sagas.Persistence;
using MassTransit;

namespace BookMyShow.Sagas.Booking;

/// <summary>
/// Makes the saga's <c>Schedule(...)</c>/<c>Unschedule(...)</c> write to the outbox of its own transaction, so a
/// schedule exists exactly when the state that expects it was committed.
/// </summary>
public sealed class OutboxSchedulerPayloads(TimeProvider time) : ISagaScopePayloads<BookingDbContext>
{
    public IEnumerable<object> Create(BookingDbContext db, ConsumeContext context) =>
        [OutboxScheduleMessageProvider.SchedulerContextFor(context, db, time)];
}
