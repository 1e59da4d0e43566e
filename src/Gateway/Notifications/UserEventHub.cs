using System.Collections.Concurrent;
using System.Threading.Channels;

namespace BookMyShow.Gateway.Notifications;

/// <summary>
/// The open event streams of this gateway instance, by user. Events reach every instance through its own RabbitMQ
/// queue (<see cref="UserEventsConsumer"/>); the hub only hands them to the connections held here.
/// </summary>
public sealed class UserEventHub
{
    const int RememberedEvents = 10_000;
    const int BufferPerConnection = 256;

    readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<UserEventResponse>, byte>> _streams = new();
    readonly HashSet<Guid> _seen = [];
    readonly Queue<Guid> _seenOrder = new();

    public int ConnectionCount => _streams.Values.Sum(s => s.Count);

    /// <summary>Opens a stream for one connection; dispose it when the connection ends.</summary>
    public Subscription Subscribe(string userId)
    {
        // A client that stops reading loses its oldest events rather than holding up everyone else's.
        var channel = Channel.CreateBounded<UserEventResponse>(new BoundedChannelOptions(BufferPerConnection)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true,
        });
        _streams.GetOrAdd(userId, _ => new()).TryAdd(channel, 0);
        return new Subscription(this, userId, channel);
    }

    /// <summary>Whether the user has a stream open here.</summary>
    public bool IsListening(string userId) => _streams.ContainsKey(userId);

    /// <summary>Hands the event to each of the user's connections here; false when it was already delivered (a redelivery).</summary>
    public bool Deliver(string userId, UserEventResponse view)
    {
        if (!_streams.ContainsKey(userId)) return true; // nobody listening here: nothing to deliver or to remember
        lock (_seen)
        {
            if (!_seen.Add(view.EventId)) return false;
            _seenOrder.Enqueue(view.EventId);
            if (_seenOrder.Count > RememberedEvents) _seen.Remove(_seenOrder.Dequeue());
        }
        if (_streams.TryGetValue(userId, out var streams))
        {
            foreach (var channel in streams.Keys) channel.Writer.TryWrite(view);
        }
        return true;
    }

    void Unsubscribe(string userId, Channel<UserEventResponse> channel)
    {
        channel.Writer.TryComplete();
        if (_streams.TryGetValue(userId, out var streams))
        {
            streams.TryRemove(channel, out _);
            if (streams.IsEmpty) _streams.TryRemove(new KeyValuePair<string, ConcurrentDictionary<Channel<UserEventResponse>, byte>>(userId, streams));
        }
    }

    public sealed class Subscription(UserEventHub hub, string userId, Channel<UserEventResponse> channel) : IDisposable
    {
        public ChannelReader<UserEventResponse> Events => channel.Reader;

        public void Dispose() => hub.Unsubscribe(userId, channel);
    }
}
