using BookMyShow.Core.Persistence;
using BookMyShow.Gateway.Admission;
using Microsoft.Extensions.Time.Testing;

namespace BookMyShow.Gateway.Tests.Admission;

[Trait("Tier", "Fast")]
public class WaitingRequestsTests
{
    readonly FakeTimeProvider _time = new();

    static HoldRequest Request(string id, string user = "u_1", long seq = 1) => new()
    {
        Id = id, ShowId = "s_1", UserId = user, SeatIds = "A1,A2", Seq = seq, Status = RequestStatus.Queued, AdmittedAt = new DateTime(2026, 11, 26, 0, 0, 0, DateTimeKind.Utc),
    };

    [Fact]
    public void An_admitted_request_is_found_for_its_owner_only()
    {
        var waiting = new WaitingRequests(_time);
        waiting.Admitted(Request("r_1", seq: 42));

        var entry = waiting.Find("r_1", "u_1");
        Assert.NotNull(entry);
        var request = entry.ToRequest();
        Assert.Equal(("s_1", "A1,A2", 42L, RequestStatus.Queued), (request.ShowId, request.SeatIds, request.Seq, request.Status));
        Assert.Null(waiting.Find("r_1", "u_2"));
        Assert.Null(waiting.Find("r_2", "u_1"));
    }

    [Fact]
    public void A_decided_request_is_no_longer_waiting()
    {
        var waiting = new WaitingRequests(_time);
        waiting.Admitted(Request("r_1"));

        waiting.Decided("r_1");

        Assert.Null(waiting.Find("r_1", "u_1"));
        Assert.Equal(0, waiting.Count);
    }

    [Fact]
    public void Entries_whose_decision_never_came_leave_after_the_maximum_age()
    {
        var waiting = new WaitingRequests(_time);
        waiting.Admitted(Request("r_old"));
        _time.Advance(WaitingRequests.MaxAge + TimeSpan.FromSeconds(1));

        waiting.Admitted(Request("r_new", seq: 2));

        Assert.Null(waiting.Find("r_old", "u_1"));
        Assert.NotNull(waiting.Find("r_new", "u_1"));
        Assert.Equal(1, waiting.Count);
    }
}
