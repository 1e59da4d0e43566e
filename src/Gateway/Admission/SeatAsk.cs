using BookMyShow.Contracts.Holds;

namespace BookMyShow.Gateway.Admission;

/// <summary>What a hold request asks for: the seats it names, or (none named) the best ones the partition is to pick.</summary>
public sealed record SeatAsk(IReadOnlyList<string> SeatIds, BestAvailableSeats? BestAvailable = null);
