using BookMyShow.Gateway.Apis;
using BookMyShow.Gateway.Apis.Binding;

namespace BookMyShow.Gateway.Tests.Apis;

/// <summary>
/// A body the framework cannot bind gets the 400 detail the hand-written parser used to give: the real
/// System.Text.Json failure for each body, worded by <see cref="BindingFailures"/> and the body type.
/// </summary>
[Trait("Tier", "Fast")]
public sealed class BindingFailuresTests
{
    static readonly JsonBodyErrors HoldWords = new(PlaceHoldRequest.WrongTypeDetail);

    [Theory]
    [InlineData("""{"seat_ids":["J20"]""", "The body is not valid JSON: Expected depth to be zero at the end of the JSON payload.")]
    [InlineData("""{"seat_ids":["J20"],}""", "The body is not valid JSON:")]
    [InlineData("""{'seat_ids':['J20']}""", "The body is not valid JSON:")]
    [InlineData("""["J20"]""", BindingFailures.NotAnObject)]
    [InlineData("42", BindingFailures.NotAnObject)]
    [InlineData("\"J20\"", BindingFailures.NotAnObject)]
    [InlineData("""{"seat_ids":"J20"}""", PlaceHoldRequest.SeatIdsRequired)]
    [InlineData("""{"seat_ids":{"J20":true}}""", PlaceHoldRequest.SeatIdsRequired)]
    [InlineData("""{"seat_ids":[20]}""", PlaceHoldRequest.SeatIdsNotStrings)]
    [InlineData("""{"seat_ids":[["J20"]]}""", PlaceHoldRequest.SeatIdsNotStrings)]
    [InlineData("""{"seat_ids":["J20"],"user_id":5}""", "user_id must be a string.")]
    [InlineData("""{"seat_ids":["\ud800"]}""", "The body is not valid JSON: the string at $.seat_ids[0] is not valid Unicode")]
    [InlineData("""{"seat_ids":["J20"],"user_id":"\udc00x"}""", "The body is not valid JSON: the string at $.user_id is not valid Unicode")]
    public void Hold_body_that_does_not_bind_is_worded_precisely(string body, string expected)
    {
        var failure = GatewayJson.BindFailure<PlaceHoldRequest>(body);

        Assert.NotNull(failure);
        Assert.StartsWith(expected, BindingFailures.Describe(failure, HoldWords, bodyWasEmpty: false), StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_beyond_the_readers_depth_is_not_json()
    {
        var body = """{"x":""" + new string('[', 100) + new string(']', 100) + ""","seat_ids":["A1"]}""";

        var failure = GatewayJson.BindFailure<PlaceHoldRequest>(body);

        Assert.StartsWith("The body is not valid JSON: The maximum configured depth", BindingFailures.Describe(failure, HoldWords, bodyWasEmpty: false), StringComparison.Ordinal);
    }

    [Fact]
    public void No_body_and_a_null_body_are_told_apart()
    {
        Assert.Equal(BindingFailures.EmptyBody, BindingFailures.Describe(null, HoldWords, bodyWasEmpty: true));
        Assert.Equal(BindingFailures.NotAnObject, BindingFailures.Describe(null, HoldWords, bodyWasEmpty: false));
        Assert.Null(GatewayJson.BindFailure<PlaceHoldRequest>("null")); // binds to nothing: the framework then says the body is missing
    }

    [Theory]
    [InlineData("""{"hold_id":5,"payment_token":"pm_card_visa"}""", "hold_id is required and must be a string.")]
    [InlineData("""{"hold_id":"h_1","payment_token":["pm_card_visa"]}""", "payment_token is required and must be a string.")]
    public void Confirm_body_of_the_wrong_types_names_the_field(string body, string expected)
    {
        var failure = GatewayJson.BindFailure<ConfirmBookingRequest>(body);

        Assert.Equal(expected, BindingFailures.Describe(failure, new JsonBodyErrors(ConfirmBookingRequest.WrongTypeDetail), bodyWasEmpty: false));
    }

    [Theory]
    [InlineData("""{"user_id":7}""", DevTokenRequest.UserIdRequired)]
    [InlineData("""{"user_id":"u_1","roles":"operator"}""", DevTokenRequest.RolesNotStrings)]
    [InlineData("""{"user_id":"u_1","roles":[1]}""", DevTokenRequest.RolesNotStrings)]
    [InlineData("""{"user_id":"u_1","email":{"a":1}}""", DevTokenRequest.EmailInvalid)]
    public void Dev_token_body_of_the_wrong_types_names_the_field(string body, string expected)
    {
        var failure = GatewayJson.BindFailure<DevTokenRequest>(body);

        Assert.Equal(expected, BindingFailures.Describe(failure, new JsonBodyErrors(DevTokenRequest.WrongTypeDetail), bodyWasEmpty: false));
    }

    [Fact]
    public void The_readers_words_for_a_lone_surrogate_still_name_the_encoding()
    {
        // BindingFailures tells invalid Unicode from a number-for-a-string by the reader's message ("UTF-"); if a
        // System.Text.Json update rewords it, this fails rather than the 400 quietly calling it a wrong type.
        var encoding = GatewayJson.BindFailure<PlaceHoldRequest>("""{"seat_ids":["\ud800"]}""")!.InnerException!;
        var wrongType = GatewayJson.BindFailure<PlaceHoldRequest>("""{"seat_ids":[20]}""")!.InnerException!;

        Assert.IsType<InvalidOperationException>(encoding);
        Assert.Contains("UTF-", encoding.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(wrongType);
        Assert.DoesNotContain("UTF-", wrongType.Message, StringComparison.Ordinal);
    }
}
