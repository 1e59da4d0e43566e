namespace BookMyShow.Core.Messaging;

/// <summary>Where schedules go on RabbitMQ: the Quartz-backed scheduler endpoint the workers host.</summary>
public static class SchedulerAddress
{
    public const string Queue = "scheduler";

    /// <summary>The exchange, not <c>queue:</c>, which would redeclare the quorum queue.</summary>
    public static Uri Value { get; } = new($"exchange:{Queue}");
}
