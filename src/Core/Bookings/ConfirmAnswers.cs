using System.Text.Json;
using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Outbox;
using BookMyShow.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BookMyShow.Core.Bookings;

/// <summary>
/// Writes the stored answer of a confirm request, in the caller's transaction, and announces it through the outbox.
/// Bodies are the JSON the gateway returns verbatim (problem details for errors).
/// </summary>
public static class ConfirmAnswers
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task AnswerAsync(BookingDbContext db, string holdId, string attemptId, int statusCode, object body, DateTime now, CancellationToken ct)
    {
        var request = await db.ConfirmRequests.FirstOrDefaultAsync(r => r.HoldId == holdId && r.AttemptId == attemptId, ct);
        if (request is null || request.StatusCode is not null) return;
        request.StatusCode = statusCode;
        request.ResponseBody = Serialize(body);
        request.AnsweredAt = now;
        db.Publish(new ConfirmationAnswered { HoldId = holdId, AttemptId = attemptId, StatusCode = statusCode }, now);
    }

    /// <summary>An answer's body as stored and returned.</summary>
    public static string Serialize(object body) => JsonSerializer.Serialize(body, Json);

    public static object Confirmed(Booking booking) => new
    {
        booking_id = booking.Id,
        hold_id = booking.HoldId,
        status = booking.Status,
        seats = SeatList.Split(booking.SeatIds),
        total_charged = booking.TotalAmount,
        currency = booking.Currency,
    };

    public static object Problem(int status, string title, string detail, string holdId, object? extra = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["type"] = $"https://bookmyshow.example/problems/{title.ToLowerInvariant().Replace(' ', '-')}",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["hold_id"] = holdId,
        };
        if (extra is not null)
        {
            foreach (var property in extra.GetType().GetProperties()) body[property.Name] = property.GetValue(extra);
        }
        return body;
    }
}
