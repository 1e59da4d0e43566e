using BookMyShow.Gateway.Admission;
using BookMyShow.Gateway.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;

namespace BookMyShow.Gateway.Tests.Apis;

/// <summary>The request bodies' rules, as pure functions: the status and the words of each refusal.</summary>
[Trait("Tier", "Fast")]
public sealed class RequestValidationTests
{
    static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
    static readonly ShowLayout Show = new("s_1", Now.AddDays(1), "INR", new HashSet<string>(StringComparer.Ordinal) { "A1", "A2", "A3", "J20" },
        new HashSet<string>(StringComparer.Ordinal) { "standard", "premium" });

    static void AssertProblem(ProblemHttpResult? problem, int status, string detailPart)
    {
        Assert.NotNull(problem);
        Assert.Equal(status, problem.StatusCode);
        Assert.Contains(detailPart, problem.ProblemDetails.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"seat_ids":[]}""", 400, "at least one")]
    [InlineData("""{"seat_ids":["A1","A2","A3"]}""", 400, "At most 2")]
    [InlineData("""{"seat_ids":["J20","J20"]}""", 400, "Duplicate seat ids: J20.")]
    [InlineData("""{"seat_ids":["J20","Z99"]}""", 400, "Unknown seat ids for this show: Z99.")]
    [InlineData("""{}""", 400, "seat_ids is required and must be an array")]
    [InlineData("""{"seat_ids":null}""", 400, "seat_ids is required and must be an array")]
    [InlineData("""{"seat_ids":[null]}""", 400, "only non-empty strings")]
    [InlineData("""{"seat_ids":[" "]}""", 400, "only non-empty strings")]
    [InlineData("""{"seat_ids":["J20"],"user_id":"someone_else"}""", 403, "does not match")]
    public void Hold_request_is_refused_with_its_reason(string body, int status, string detailPart)
    {
        var (_, problem) = GatewayJson.Bind<PlaceHoldRequest>(body).Validate("u_1", Show, maxSeats: 2, Now);

        AssertProblem(problem, status, detailPart);
    }

    [Fact]
    public void Hold_request_names_its_limit_and_offending_seats_in_the_problem()
    {
        var (_, tooMany) = new PlaceHoldRequest(["A1", "A2", "A3"], null).Validate("u_1", Show, maxSeats: 2, Now);
        var (_, unknown) = new PlaceHoldRequest(["A1", "Z9"], null).Validate("u_1", Show, maxSeats: 2, Now);

        Assert.Equal(2, tooMany!.ProblemDetails.Extensions["max_seats"]);
        Assert.Equal(["Z9"], Assert.IsType<List<string>>(unknown!.ProblemDetails.Extensions["unknown_seat_ids"]));
    }

    [Fact]
    public void Hold_for_a_show_that_started_is_409_and_a_good_one_passes()
    {
        var started = Show with { StartsAt = Now };

        var (_, refused) = new PlaceHoldRequest(["A1"], null).Validate("u_1", started, maxSeats: 10, Now);
        var (seats, problem) = new PlaceHoldRequest(["A1", "A2"], "u_1").Validate("u_1", Show, maxSeats: 10, Now);

        AssertProblem(refused, 409, "has already started");
        Assert.Null(problem);
        Assert.Equal(["A1", "A2"], seats.SeatIds);
        Assert.Null(seats.BestAvailable);
    }

    [Theory]
    [InlineData("""{"best_available":{}}""", 400, "best_available.count must be a whole number")]
    [InlineData("""{"best_available":{"count":0}}""", 400, "best_available.count must be a whole number")]
    [InlineData("""{"best_available":{"count":3}}""", 400, "At most 2")]
    [InlineData("""{"best_available":{"count":2,"section":"balcony"}}""", 400, "Unknown section for this show: balcony.")]
    [InlineData("""{"best_available":{"count":2,"max_price":0}}""", 400, "max_price must be more than 0")]
    [InlineData("""{"best_available":{"count":2},"seat_ids":["A1"]}""", 400, "not both")]
    public void Best_available_request_is_refused_with_its_reason(string body, int status, string detailPart)
    {
        var (_, problem) = GatewayJson.Bind<PlaceHoldRequest>(body).Validate("u_1", Show, maxSeats: 2, Now);

        AssertProblem(problem, status, detailPart);
    }

    [Fact]
    public void Best_available_request_passes_as_an_ask_with_no_seats_named()
    {
        var (ask, problem) = GatewayJson.Bind<PlaceHoldRequest>("""{"best_available":{"count":2,"section":"premium","max_price":450.5}}""")
            .Validate("u_1", Show, maxSeats: 2, Now);

        Assert.Null(problem);
        Assert.Empty(ask.SeatIds);
        Assert.Equal(2, ask.BestAvailable!.Count);
        Assert.Equal("premium", ask.BestAvailable.Section);
        Assert.Equal(450.5m, ask.BestAvailable.MaxPrice);
    }

    [Theory]
    [InlineData(null, "pm_card_visa", "hold_id is required and must be a string.")]
    [InlineData("  ", "pm_card_visa", "hold_id is required and must be a string.")]
    [InlineData("h_1\u0000", "pm_card_visa", "hold_id must not contain control characters.")]
    [InlineData("h_1", null, "payment_token is required and must be a string.")]
    [InlineData("h_1", "pm_card_visa\n", "payment_token must not contain control characters.")]
    public void Confirm_request_names_the_field_that_is_wrong(string? holdId, string? token, string detail)
    {
        var (_, _, problem) = new ConfirmBookingRequest(holdId, token).Validate();

        AssertProblem(problem, 400, detail);
    }

    [Fact]
    public void Confirm_request_with_an_over_long_hold_id_is_refused_and_a_good_one_passes()
    {
        var (_, _, tooLong) = new ConfirmBookingRequest(new string('h', 201), "pm_card_visa").Validate();
        var (holdId, token, problem) = new ConfirmBookingRequest("h_1", "pm_card_visa").Validate();

        AssertProblem(tooLong, 400, "hold_id is required");
        Assert.Null(problem);
        Assert.Equal(("h_1", "pm_card_visa"), (holdId, token));
    }

    [Theory]
    [InlineData("""{}""", true, 400, "user_id is required")]
    [InlineData("""{"user_id":""}""", true, 400, "user_id must be 1-64 characters")]
    [InlineData("""{"user_id":"u_1\n"}""", true, 400, "user_id must be 1-64 characters")]
    [InlineData("""{"user_id":"u 1"}""", true, 400, "user_id must be 1-64 characters")]
    [InlineData("""{"user_id":"u_1","roles":["admin"]}""", true, 400, "Unknown role(s): admin.")]
    [InlineData("""{"user_id":"u_1","roles":[null]}""", true, 400, "roles must be an array of strings.")]
    [InlineData("""{"user_id":"u_1","roles":["operator"]}""", false, 403, "Auth:DevTokenRoles")]
    [InlineData("""{"user_id":"u_1","email":"Ana <ana@example.com>"}""", true, 400, "plain e-mail address")]
    [InlineData("""{"user_id":"u_1","email":"not-an-address"}""", true, 400, "plain e-mail address")]
    public void Dev_token_request_is_refused_with_its_reason(string body, bool rolesAllowed, int status, string detailPart)
    {
        var (_, _, _, problem) = GatewayJson.Bind<DevTokenRequest>(body).Validate(rolesAllowed);

        AssertProblem(problem, status, detailPart);
    }

    [Fact]
    public void Dev_token_carries_roles_only_when_allowed()
    {
        var request = new DevTokenRequest("ops", ["operator"], "ops@example.com");

        var (userId, roles, email, problem) = request.Validate(rolesAllowed: true);
        var (_, plainRoles, _, plainProblem) = new DevTokenRequest("u_1", [], null).Validate(rolesAllowed: false);

        Assert.Null(problem);
        Assert.Equal(("ops", "ops@example.com"), (userId, email));
        Assert.Equal(["operator"], roles);
        Assert.Null(plainProblem);
        Assert.Empty(plainRoles);
    }

    [Fact]
    public void Idempotency_keys_are_one_value_of_1_to_200_characters()
    {
        Assert.Equal((null, null), IdempotencyKeys.ForHold(default));
        Assert.Equal("k", IdempotencyKeys.ForHold("k").Key);
        AssertProblem(IdempotencyKeys.ForHold("").Problem, 400, "Idempotency-Key must be 1-200 characters.");
        AssertProblem(IdempotencyKeys.ForHold(new string('k', 201)).Problem, 400, "Idempotency-Key must be 1-200 characters.");
        AssertProblem(IdempotencyKeys.ForHold(new StringValues(["a", "b"])).Problem, 400, "Send one Idempotency-Key");

        Assert.Equal("k", IdempotencyKeys.ForConfirm("k").Key);
        AssertProblem(IdempotencyKeys.ForConfirm(default).Problem, 400, "The Idempotency-Key header is required.");
        AssertProblem(IdempotencyKeys.ForConfirm("").Problem, 400, "The Idempotency-Key header is required.");
        AssertProblem(IdempotencyKeys.ForConfirm(new string('k', 201)).Problem, 400, "at most 200 characters");
        AssertProblem(IdempotencyKeys.ForConfirm(new StringValues(["a", "b"])).Problem, 400, "Send one Idempotency-Key");
    }

    [Theory]
    [InlineData("tomorrow", "date must be YYYY-MM-DD.")]
    [InlineData("2026-2-1", "date must be YYYY-MM-DD.")]
    [InlineData("2026-02-30", "date must be YYYY-MM-DD.")]
    [InlineData("0000-01-01", "date must be YYYY-MM-DD.")]
    [InlineData("9999-12-31", "at most 9999-12-30")]
    public void Catalog_date_out_of_the_calendar_is_refused(string date, string detail)
    {
        AssertProblem(CatalogQuery.Date(date, DateOnly.FromDateTime(Now)).Problem, 400, detail);
    }

    [Fact]
    public void Catalog_date_defaults_to_today_and_city_ids_must_be_plausible()
    {
        var today = DateOnly.FromDateTime(Now);
        Assert.Equal((today, null), CatalogQuery.Date(null, today));
        Assert.Equal((new DateOnly(9999, 12, 30), null), CatalogQuery.Date("9999-12-30", today));
        Assert.Null(CatalogQuery.CityId("c_mumbai"));
        Assert.Null(CatalogQuery.CityId(null));
        AssertProblem(CatalogQuery.CityId("c\u0000"), 400, "city_id must be");
        AssertProblem(CatalogQuery.CityId(new string('c', 201)), 400, "city_id must be");
    }
}
