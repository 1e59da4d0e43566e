using System.Collections.Concurrent;
using System.Text.Json;
using BookMyShow.Sagas.Booking;
using BookMyShow.Sagas.Booking.Ports;
using MassTransit;

namespace BookMyShow.Sagas.Tests.Booking;

/// <summary>One answer the saga gave, with its body as the gateway would return it.</summary>
public sealed record RecordedAnswer(string HoldId, string AttemptId, int StatusCode, JsonElement Body)
{
    public string Title => Body.GetProperty("title").GetString()!;

    public string Detail => Body.GetProperty("detail").GetString()!;
}

/// <summary>
/// Stands in for the confirm requests table: keeps every answer the saga gives, in order. (The table keeps only the
/// first answer of a request; the specs see them all, so a second answer to one request shows up.)
/// </summary>
public sealed class RecordedConfirmAnswers : IConfirmAnswerStore
{
    // The gateway's naming (ConfirmAnswers serialises the same way).
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    readonly ConcurrentQueue<RecordedAnswer> _answers = new();

    public Task AnswerAsync(ConsumeContext context, string holdId, string attemptId, ConfirmAnswer answer)
    {
        _answers.Enqueue(new RecordedAnswer(holdId, attemptId, answer.StatusCode, JsonSerializer.SerializeToElement(answer.Body, Json)));
        return Task.CompletedTask;
    }

    public IReadOnlyList<RecordedAnswer> All => [.. _answers];

    public IReadOnlyList<RecordedAnswer> To(string attemptId) => _answers.Where(a => a.AttemptId == attemptId).ToList();
}
