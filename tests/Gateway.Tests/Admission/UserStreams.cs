using BookMyShow.Gateway.Notifications;

namespace BookMyShow.Gateway.Tests.Admission;

/// <summary>Reading a user's event stream in tests, with a deadline instead of a sleep.</summary>
static class UserStreams
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>The stream's next event; fails the test (cancelled read) when none comes within <see cref="Patience"/>.</summary>
    public static async Task<UserEventResponse> NextAsync(this UserEventHub.Subscription stream)
    {
        using var deadline = new CancellationTokenSource(Patience);
        return await stream.Events.ReadAsync(deadline.Token);
    }
}
