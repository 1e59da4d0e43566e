using BookMyShow.Contracts.Holds;
using MassTransit;

namespace BookMyShow.Gateway.Seats;

/// <summary>Keeps this gateway's seat maps current from the partitions' announcements (on the gateway's own queue).</summary>
public sealed class SeatMapsConsumer(SeatMaps maps) : IConsumer<SeatMapsChanged>
{
    public Task Consume(ConsumeContext<SeatMapsChanged> context)
    {
        foreach (var map in context.Message.Maps) maps.Apply(map);
        return Task.CompletedTask;
    }
}
