namespace BookMyShow.Scheduling.Tests;

/// <summary>The message the tests schedule; <see cref="DueAt"/> is when it was scheduled for.</summary>
public sealed record ScheduledPing
{
    public required Guid Id { get; init; }
    public required DateTimeOffset DueAt { get; init; }
    public string Label { get; init; } = "";
}

/// <summary>Asks <see cref="TimerConsumer"/> to schedule a ping from inside a consumer, the way a saga does.</summary>
public sealed record StartTimer
{
    public required Guid Id { get; init; }
    public required DateTimeOffset DueAt { get; init; }
    public required string Scenario { get; init; }
}
