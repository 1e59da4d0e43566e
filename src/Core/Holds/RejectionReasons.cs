namespace BookMyShow.Core.Holds;

/// <summary>Why a hold request was turned down (the request's <c>reason</c>).</summary>
public static class RejectionReasons
{
    /// <summary>A requested seat is held or booked by someone else, or does not exist.</summary>
    public const string SeatsUnavailable = "SEATS_UNAVAILABLE";
    /// <summary>The user would hold or have booked more seats of the show than one user may (<c>Holds:MaxSeatsPerUserPerShow</c>).</summary>
    public const string SeatLimitReached = "SEAT_LIMIT_REACHED";
    /// <summary>A best-available ask: no row has that many adjacent free seats (as asked), but the count could be met across rows.</summary>
    public const string NoAdjacentSeats = "NO_ADJACENT_SEATS";
    /// <summary>A best-available ask: fewer free seats (as asked) than the count, in any arrangement.</summary>
    public const string NotEnoughSeats = "NOT_ENOUGH_SEATS";
    /// <summary>The show does not exist or has started.</summary>
    public const string ShowNotOnSale = "SHOW_NOT_ON_SALE";
    /// <summary>The request could not be decided after every retry; it still gets this one final answer.</summary>
    public const string ProcessingFailed = "PROCESSING_FAILED";
    /// <summary>The gateway recorded the request but could not hand it to the broker.</summary>
    public const string AdmissionFailed = "ADMISSION_FAILED";
}
