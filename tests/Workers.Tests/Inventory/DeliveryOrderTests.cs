using BookMyShow.Contracts.Holds;
using BookMyShow.Workers.Inventory;
using Microsoft.Extensions.Time.Testing;

namespace BookMyShow.Workers.Tests.Inventory;

/// <summary>A partition's messages, handed out side by side, reach its writer in queue order (ADR 0022).</summary>
[Trait("Tier", "Fast")]
public sealed class DeliveryOrderTests
{
    readonly FakeTimeProvider _time = new();
    readonly List<string> _released = [];

    DeliveryOrder Order() => new(w => _released.Add(((PlaceWork)w).Requests[0].RequestId), _time);

    static PlaceWork Work(string id) => new([new PlaceHold { RequestId = id, ShowId = "s_1", UserId = "u_1", SeatIds = ["A1"], AdmittedAt = DateTimeOffset.UnixEpoch }]);

    [Fact]
    public void Messages_arriving_out_of_order_go_on_in_queue_order()
    {
        using var order = Order();
        order.Arrive(new Delivery("c_1", 2), Work("r_2"));
        order.Arrive(new Delivery("c_1", 3), Work("r_3"));
        Assert.Empty(_released);

        order.Arrive(new Delivery("c_1", 1), Work("r_1"));

        Assert.Equal(["r_1", "r_2", "r_3"], _released);
    }

    [Fact]
    public void A_message_that_never_comes_holds_the_others_back_only_for_a_moment()
    {
        using var order = Order();
        order.Arrive(new Delivery("c_1", 1), Work("r_1"));
        order.Arrive(new Delivery("c_1", 3), Work("r_3"));
        order.Arrive(new Delivery("c_1", 4), Work("r_4"));
        Assert.Equal(["r_1"], _released);

        _time.Advance(DeliveryOrder.GapWait);

        Assert.Equal(["r_1", "r_3", "r_4"], _released);
        order.Arrive(new Delivery("c_1", 5), Work("r_5"));
        Assert.Equal(["r_1", "r_3", "r_4", "r_5"], _released);
    }

    [Fact]
    public void A_retry_goes_straight_on_and_a_new_channel_counts_from_one_again()
    {
        using var order = Order();
        order.Arrive(new Delivery("c_1", 1), Work("r_1"));
        order.Arrive(new Delivery("c_1", 1), Work("r_1_retry"));
        order.Arrive(new Delivery("c_2", 2), Work("r_b"));
        order.Arrive(new Delivery("c_2", 1), Work("r_a"));

        Assert.Equal(["r_1", "r_1_retry", "r_a", "r_b"], _released);
    }
}
