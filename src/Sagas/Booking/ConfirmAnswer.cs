namespace BookMyShow.Sagas.Booking;

/// <summary>The stored answer of a confirm request: the HTTP status and the JSON body the gateway returns verbatim.</summary>
public sealed record ConfirmAnswer(int StatusCode, object Body);
