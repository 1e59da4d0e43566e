using BookMyShow.Core.Messaging;

namespace BookMyShow.Sagas.Booking;

/// <summary>The sagas hosted by the worker process.</summary>
public static class BookingSagas
{
    public static IBusContribution[] BusContributions() => [new BookingSagaEndpoints()];
}
