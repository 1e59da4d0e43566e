using BookMyShow.Core.Persistence;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Ports;

/// <summary>The transaction a saga message is handled in.</summary>
static class SagaTransaction
{
    /// <summary>
    /// The DbContext that loaded the saga: our EF saga repository (src/Sagas/Persistence) puts it on every saga consume
    /// context, and what is written through it commits with the saga's new state.
    /// </summary>
    public static BookingDbContext DbOf(ConsumeContext context) =>
        context.TryGetPayload<BookingDbContext>(out var db)
            ? db
            : throw new InvalidOperationException(
                "The booking saga's transactional ports need the saga repository of src/Sagas/Persistence (EfCoreRepository<BookingDbContext, BookingState>).");
}
