using BookMyShow.Core.Messaging;

namespace BookMyShow.Sagas.Booking;

/// <summary>
/// The booking sagas hosted by the worker process. The hold → pay → confirm state machine is the subject of the
/// booking issue; until it lands this contributes no endpoints.
/// </summary>
public static class BookingSagas
{
    public static IBusContribution[] BusContributions() => [];
}
