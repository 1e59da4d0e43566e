using System.Text;

namespace BookMyShow.EndToEnd.Tests;

/// <summary>What the bad-input cases may refer to: users' tokens and the hold the owner has (see <see cref="BadInputFixture"/>).</summary>
public sealed record BadInputContext(string OwnerToken, string StrangerToken, string OperatorToken, string OwnerHoldId, string OwnerRequestId, string OwnerKey);

/// <summary>
/// One bad request and the answer it must get. <paramref name="ByKestrel"/> says why, when Kestrel refuses the request
/// before the application sees it: Kestrel's own answers have no problem+json body.
/// </summary>
public sealed record BadInput(string Name, int Status, Func<BadInputContext, RawRequest> Request, string? DetailPart = null, string? ByKestrel = null)
{
    public override string ToString() => Name;
}

/// <summary>The catalogue of bad inputs, endpoint by endpoint (issue 19.1).</summary>
public static class BadInputs
{
    const string Show = TestCatalog.HotShow;
    const string Json = "application/json";
    static readonly (string, string)[] NoHeaders = [];

    static readonly string[] TwoSubjects = ["u_owner", "u_stranger"];

    static (string, string) Bearer(string token) => ("Authorization", "Bearer " + token);

    static (string, string) ContentType(string value) => ("Content-Type", value);

    static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Bytes as written, for bodies that are not UTF-8 (\xNN).</summary>
    static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    static RawRequest Post(string target, IEnumerable<(string, string)> headers, byte[]? body, BodyMode mode = BodyMode.ContentLength) =>
        new("POST", target, [.. headers], body, mode);

    static RawRequest Get(string target, params (string, string)[] headers) => new("GET", target, headers);

    /// <summary>A JSON body of about <paramref name="bytes"/> bytes that stays valid JSON until its end, so only its size is wrong.</summary>
    static byte[] HugeHoldBody(int bytes) => Utf8("{\"seat_ids\":[" + string.Join(",", Enumerable.Repeat("\"A1\"", bytes / 5)) + "]}");

    public static IEnumerable<BadInput> All() =>
        Tokens().Concat(Holds()).Concat(Confirms()).Concat(DevTokens()).Concat(Ids()).Concat(Catalog()).Concat(Webhook()).Concat(Wire());

    /// <summary>Every endpoint that needs a token, each with every kind of bad token: 401, and nothing done for the token's subject.</summary>
    static IEnumerable<BadInput> Tokens()
    {
        var endpoints = new (string Name, Func<BadInputContext, string?, RawRequest> Request)[]
        {
            ("hold", (c, auth) => Post($"/v1/shows/{Show}/hold", Auth(auth, ContentType(Json)), Utf8("""{"seat_ids":["A1"]}"""))),
            ("hold request", (c, auth) => Get($"/v1/hold-requests/{c.OwnerRequestId}", Auth(auth))),
            ("hold request events", (c, auth) => Get($"/v1/hold-requests/{c.OwnerRequestId}/events", Auth(auth))),
            ("hold", (c, auth) => Get($"/v1/holds/{c.OwnerHoldId}", Auth(auth))),
            ("release", (c, auth) => Post($"/v1/holds/{c.OwnerHoldId}/release", Auth(auth), null)),
            ("confirm", (c, auth) => Post("/v1/bookings/confirm", Auth(auth, ContentType(Json), ("Idempotency-Key", "token-case")),
                Utf8($$"""{"hold_id":"{{c.OwnerHoldId}}","payment_token":"pm_card_visa"}"""))),
            ("booking", (c, auth) => Get("/v1/bookings/b_00000000000000000000000000000000", Auth(auth))),
            ("user events", (c, auth) => Get("/v1/users/me/events", Auth(auth))),
            ("show stats", (c, auth) => Get($"/v1/ops/shows/{Show}/stats", Auth(auth))),
        };
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var defects = new (string Name, Func<string?> Authorization, string Detail)[]
        {
            ("no Authorization header", () => null, "needs a bearer token"),
            ("a signed token without sub", () => "Bearer " + TestTokens.Sign(TestTokens.Claims(null)), "no subject"),
            ("a signed token with an empty sub", () => "Bearer " + TestTokens.Sign(TestTokens.Claims("")), "no subject"),
            ("a signed token with two subs", () => "Bearer " + TestTokens.Sign(With(TestTokens.Claims(null), "sub", TwoSubjects)), "not valid"),
            ("an expired token", () => "Bearer " + TestTokens.Sign(With(With(TestTokens.Claims("u_owner"), "exp", now - 3600), "nbf", now - 7200)), "expired"),
            ("a token not valid yet", () => "Bearer " + TestTokens.Sign(With(With(TestTokens.Claims("u_owner"), "nbf", now + 3600), "exp", now + 7200)), "not valid yet"),
            ("a token signed with another key", () => "Bearer " + TestTokens.Sign(TestTokens.Claims("u_owner"), TestTokens.OtherKey), "signature"),
            ("a token for another audience", () => "Bearer " + TestTokens.Sign(With(TestTokens.Claims("u_owner"), "aud", "elsewhere")), "someone else"),
            ("a token from another issuer", () => "Bearer " + TestTokens.Sign(With(TestTokens.Claims("u_owner"), "iss", "elsewhere")), "someone else"),
            ("an unsigned token (alg none)", () => "Bearer " + TestTokens.Sign(TestTokens.Claims("u_owner"), algorithm: "none"), "signature"),
            ("a token that is not a JWT", () => "Bearer not-a-jwt", "not valid"),
            ("Basic credentials", () => "Basic dV9vd25lcjpzZWNyZXQ=", "needs a bearer token"),
            ("an empty Bearer", () => "Bearer ", "needs a bearer token"),
        };
        foreach (var (endpoint, request) in endpoints)
        {
            foreach (var (defect, authorization, detail) in defects)
            {
                yield return new BadInput($"{request(Context.Empty, null).Method} {endpoint} with {defect}", 401, c => request(c, authorization()), detail);
            }
        }
    }

    static Dictionary<string, object?> With(Dictionary<string, object?> claims, string name, object value)
    {
        claims[name] = value;
        return claims;
    }

    static (string, string)[] Auth(string? authorization, params (string, string)[] more) =>
        authorization is null ? more : [("Authorization", authorization), .. more];

    /// <summary>Placeholder context to name a case before the fixture exists.</summary>
    static class Context
    {
        public static readonly BadInputContext Empty = new("", "", "", "h_x", "r_x", "k");
    }

    static IEnumerable<BadInput> Holds()
    {
        BadInput Body(string name, int status, byte[] body, string? detail = null, string contentType = Json, BodyMode mode = BodyMode.ContentLength, params (string, string)[] headers) =>
            new($"POST hold: {name}", status, c => Post($"/v1/shows/{Show}/hold", [Bearer(c.OwnerToken), ContentType(contentType), .. headers], body, mode), detail);
        BadInput Text(string name, int status, string json, string? detail = null, params (string, string)[] headers) =>
            Body(name, status, Utf8(json), detail, Json, BodyMode.ContentLength, headers);

        yield return Text("no seats", 400, """{"seat_ids":[]}""", "at least one");
        yield return Text("eleven seats", 400, """{"seat_ids":["A1","A2","A3","A4","A5","A6","A7","A8","A9","A10","A11"]}""", "At most 10");
        yield return Text("a seat twice", 400, """{"seat_ids":["A1","A1"]}""", "Duplicate");
        yield return Text("a seat the show does not have", 400, """{"seat_ids":["A1","Z99"]}""", "Unknown seat");
        yield return Text("a seat id with a NUL", 400, """{"seat_ids":["A1\u0000"]}""", "Unknown seat");
        yield return Text("a seat id of 10,000 characters", 400, $$"""{"seat_ids":["{{new string('A', 10_000)}}"]}""", "Unknown seat");
        yield return Text("seat_ids a string", 400, """{"seat_ids":"A1"}""", "array");
        yield return Text("seat_ids an object", 400, """{"seat_ids":{"A1":true}}""", "array");
        yield return Text("seat_ids null", 400, """{"seat_ids":null}""", "array");
        yield return Text("seat_ids missing", 400, """{}""", "array");
        yield return Text("a number for a seat", 400, """{"seat_ids":[20]}""", "strings");
        yield return Text("a huge number for a seat", 400, """{"seat_ids":[1e999]}""", "strings");
        yield return Text("a null seat", 400, """{"seat_ids":[null]}""", "strings");
        yield return Text("an empty seat", 400, """{"seat_ids":[""]}""", "strings");
        yield return Text("a blank seat", 400, """{"seat_ids":["   "]}""", "strings");
        yield return Text("seats nested in an array", 400, """{"seat_ids":[["A1"]]}""", "strings");
        yield return Text("user_id of someone else", 403, """{"seat_ids":["A1"],"user_id":"someone_else"}""", "does not match");
        yield return Text("user_id a number", 400, """{"seat_ids":["A1"],"user_id":5}""", "user_id must be a string");
        yield return Text("a lone high surrogate", 400, """{"seat_ids":["\ud800"]}""", "not valid Unicode");
        yield return Text("a lone low surrogate after a letter", 400, """{"seat_ids":["A1\udc00"]}""", "not valid Unicode");
        yield return Text("a lone surrogate in user_id", 400, """{"seat_ids":["A1"],"user_id":"\ud83d"}""", "not valid Unicode");
        yield return Body("an invalid UTF-8 byte in a seat", 400, Bytes("{\"seat_ids\":[\"A\xff\"]}"), "not UTF-8");
        yield return Body("invalid UTF-8 in a property nobody reads", 400, Bytes("{\"seat_ids\":[\"A1\"],\"note\":\"\xfe\xff\"}"), "not UTF-8");
        yield return Body("an overlong UTF-8 encoding", 400, Bytes("{\"seat_ids\":[\"A\xc0\xaf\"]}"), "not UTF-8");
        // The reader meets the stray bytes after the object before the stream ends: a syntax error rather than an encoding one.
        yield return Body("a truncated UTF-8 sequence at the end", 400, Bytes("{\"seat_ids\":[\"A1\"]}\xe2\x82"), "not valid JSON");
        yield return Body("a UTF-16 body", 400, [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("""{"seat_ids":["A1"]}""")]);
        yield return Text("JSON cut short", 400, """{"seat_ids":["A1"]""", "not valid JSON");
        yield return Text("a trailing comma", 400, """{"seat_ids":["A1"],}""", "not valid JSON");
        yield return Text("single quotes", 400, """{'seat_ids':['A1']}""", "not valid JSON");
        yield return Text("a comment", 400, """{/* hi */"seat_ids":["A1"]}""", "not valid JSON");
        yield return Text("text after the object", 400, """{"seat_ids":["A1"]} x""", "not valid JSON");
        yield return Text("two objects", 400, """{"seat_ids":["A1"]}{"seat_ids":["A2"]}""", "not valid JSON");
        yield return Text("NaN", 400, """{"seat_ids":[NaN]}""", "not valid JSON");
        yield return Text("nesting 1,000 deep", 400, """{"x":""" + new string('[', 1000) + new string(']', 1000) + ""","seat_ids":["A1"]}""", "not valid JSON");
        yield return Text("an array body", 400, """["A1"]""", "JSON object");
        yield return Text("a string body", 400, "\"A1\"", "JSON object");
        yield return Text("a number body", 400, "42", "JSON object");
        yield return Text("null", 400, "null", "JSON object");
        yield return Body("an empty body", 400, [], "not valid JSON");
        yield return Text("only whitespace", 400, "   \n", "not valid JSON");
        yield return Body("text/plain", 415, Utf8("""{"seat_ids":["A1"]}"""), "application/json", "text/plain");
        yield return Body("a form", 415, Utf8("seat_ids=A1"), "application/json", "application/x-www-form-urlencoded");
        yield return Body("XML", 415, Utf8("<seat_ids><id>A1</id></seat_ids>"), "application/json", "application/xml");
        yield return new("POST hold: no Content-Type", 415, c => Post($"/v1/shows/{Show}/hold", [Bearer(c.OwnerToken)], Utf8("""{"seat_ids":["A1"]}""")), "application/json");
        yield return Body("100 KB with a Content-Length", 413, HugeHoldBody(100_000), "at most 65536 bytes");
        yield return Body("1 MB chunked", 413, HugeHoldBody(1_000_000), "at most 65536 bytes", mode: BodyMode.Chunked);
        yield return Body("10 MB chunked", 413, HugeHoldBody(10_000_000), "at most 65536 bytes", mode: BodyMode.Chunked);
        yield return Body("a body that stalls", 408, Utf8("""{"seat_ids":["A1"]}"""), "did not arrive in time", mode: BodyMode.Stall);
        yield return Body("a body that trickles", 408, Utf8("{\"seat_ids\":[\"A1\"],\"pad\":\"" + new string(' ', 200) + "\"}"), "did not arrive in time", mode: BodyMode.Trickle);
        yield return new("POST hold: broken chunk framing", 400, c => Post($"/v1/shows/{Show}/hold", [Bearer(c.OwnerToken), ContentType(Json)],
            Utf8("zz\r\n{\"seat_ids\":[\"A1\"]}\r\n0\r\n\r\n"), BodyMode.Chunked));
        yield return new("POST hold: a show that started", 409, c => Post($"/v1/shows/{TestCatalog.StartedShow}/hold", [Bearer(c.OwnerToken), ContentType(Json)], Utf8("""{"seat_ids":["A1"]}""")), "started");
        yield return new("POST hold: a show that does not exist", 404, c => Post("/v1/shows/s_nowhere/hold", [Bearer(c.OwnerToken), ContentType(Json)], Utf8("""{"seat_ids":["A1"]}""")), "does not exist");
        yield return Text("an empty Idempotency-Key", 400, """{"seat_ids":["A1"]}""", "Idempotency-Key must be 1-200", ("Idempotency-Key", ""));
        yield return Text("a 201-character Idempotency-Key", 400, """{"seat_ids":["A1"]}""", "Idempotency-Key must be 1-200", ("Idempotency-Key", new string('k', 201)));
        yield return Text("two Idempotency-Keys", 400, """{"seat_ids":["A1"]}""", "Send one Idempotency-Key", ("Idempotency-Key", "k-1"), ("Idempotency-Key", "k-2"));
        yield return Text("an Idempotency-Key with a bad body", 400, """{"seat_ids":["Z99"]}""", "Unknown seat", ("Idempotency-Key", "fresh-key-1"));
        yield return new("POST hold: the owner's Idempotency-Key again with other seats", 422, c => Post($"/v1/shows/{Show}/hold",
            [Bearer(c.OwnerToken), ContentType(Json), ("Idempotency-Key", c.OwnerKey)], Utf8("""{"seat_ids":["A2"]}""")), "different hold request");
        // A Prefer that cannot be honoured is ignored (RFC 7240); with it, a bad request is still refused and changes nothing.
        foreach (var prefer in new[] { "wait=abc", "wait=-1", "wait=99999999999999999999", "wait=", "wait=5;x, wait=6", "handling=strict", "respond-async, wait=3" })
        {
            yield return Text($"Prefer: {prefer} with an unknown seat", 400, """{"seat_ids":["Z99"]}""", "Unknown seat", ("Prefer", prefer));
        }
        yield return Text("Prefer: wait=30 with a seat twice", 400, """{"seat_ids":["A1","A1"]}""", "Duplicate", ("Prefer", "wait=30"));
        yield return new("PUT hold", 405, c => new RawRequest("PUT", $"/v1/shows/{Show}/hold", [Bearer(c.OwnerToken), ContentType(Json)], Utf8("""{"seat_ids":["A1"]}""")));
    }

    static IEnumerable<BadInput> Confirms()
    {
        BadInput Body(string name, int status, byte[] body, string? detail, (string, string)[] headers, string contentType = Json, BodyMode mode = BodyMode.ContentLength) =>
            new($"POST confirm: {name}", status, c => Post("/v1/bookings/confirm", [Bearer(c.OwnerToken), ContentType(contentType), .. headers], body, mode), detail);
        BadInput Text(string name, int status, Func<BadInputContext, string> json, string? detail, params (string, string)[] headers) =>
            new($"POST confirm: {name}", status, c => Post("/v1/bookings/confirm", [Bearer(c.OwnerToken), ContentType(Json), .. headers], Utf8(json(c))), detail);
        (string, string)[] key = [("Idempotency-Key", "bad-confirm")];
        string Good(BadInputContext c) => $$"""{"hold_id":"{{c.OwnerHoldId}}","payment_token":"pm_card_visa"}""";

        yield return Text("no Idempotency-Key", 400, Good, "Idempotency-Key header is required");
        yield return Text("an empty Idempotency-Key", 400, Good, "Idempotency-Key header is required", ("Idempotency-Key", ""));
        yield return Text("a 201-character Idempotency-Key", 400, Good, "at most 200", ("Idempotency-Key", new string('k', 201)));
        yield return Text("two Idempotency-Keys", 400, Good, "Send one Idempotency-Key", ("Idempotency-Key", "k-1"), ("Idempotency-Key", "k-2"));
        yield return Text("hold_id a number", 400, _ => """{"hold_id":5,"payment_token":"pm_card_visa"}""", "hold_id is required", key);
        yield return Text("hold_id missing", 400, _ => """{"payment_token":"pm_card_visa"}""", "hold_id is required", key);
        yield return Text("hold_id empty", 400, _ => """{"hold_id":"","payment_token":"pm_card_visa"}""", "hold_id is required", key);
        yield return Text("hold_id blank", 400, _ => """{"hold_id":"   ","payment_token":"pm_card_visa"}""", "hold_id is required", key);
        yield return Text("hold_id of 201 characters", 400, _ => $$"""{"hold_id":"{{new string('h', 201)}}","payment_token":"pm_card_visa"}""", "hold_id is required", key);
        yield return Text("hold_id with a NUL", 400, _ => """{"hold_id":"h_1\u0000","payment_token":"pm_card_visa"}""", "control characters", key);
        yield return Text("hold_id a lone surrogate", 400, _ => """{"hold_id":"\ud800","payment_token":"pm_card_visa"}""", "not valid Unicode", key);
        yield return Text("payment_token missing", 400, c => $$"""{"hold_id":"{{c.OwnerHoldId}}"}""", "payment_token is required", key);
        yield return Text("payment_token a number", 400, c => $$"""{"hold_id":"{{c.OwnerHoldId}}","payment_token":4242}""", "payment_token is required", key);
        yield return Text("payment_token with a newline", 400, c => $$"""{"hold_id":"{{c.OwnerHoldId}}","payment_token":"pm_card_visa\n"}""", "control characters", key);
        yield return Text("payment_token a lone surrogate", 400, c => $$"""{"hold_id":"{{c.OwnerHoldId}}","payment_token":"\udfff"}""", "not valid Unicode", key);
        yield return Text("a hold that does not exist", 404, _ => """{"hold_id":"h_00000000000000000000000000000000","payment_token":"pm_card_visa"}""", "does not exist", key);
        yield return new("POST confirm: someone else's hold", 403, c => Post("/v1/bookings/confirm", [Bearer(c.StrangerToken), ContentType(Json), .. key], Utf8(Good(c))), "another user");
        yield return Text("JSON cut short", 400, c => Good(c)[..^2], "not valid JSON", key);
        yield return Text("an array body", 400, c => $"[{Good(c)}]", "JSON object", key);
        yield return Text("null", 400, _ => "null", "JSON object", key);
        yield return Body("an invalid UTF-8 byte", 400, Bytes("{\"hold_id\":\"h_\xff\",\"payment_token\":\"pm_card_visa\"}"), "not UTF-8", key);
        yield return Body("text/plain", 415, Utf8("""{"hold_id":"h_1","payment_token":"pm_card_visa"}"""), "application/json", key, "text/plain");
        yield return Body("100 KB with a Content-Length", 413, Utf8($$"""{"hold_id":"h_1","payment_token":"{{new string('x', 100_000)}}"}"""), "at most 65536", key);
        yield return Body("1 MB chunked", 413, Utf8($$"""{"hold_id":"h_1","payment_token":"{{new string('x', 1_000_000)}}"}"""), "at most 65536", key, mode: BodyMode.Chunked);
        yield return Body("a body that stalls", 408, Utf8("""{"hold_id":"h_1","payment_token":"pm_card_visa"}"""), "did not arrive in time", key, mode: BodyMode.Stall);
    }

    static IEnumerable<BadInput> DevTokens()
    {
        BadInput Body(string name, int status, byte[] body, string? detail, string contentType = Json, BodyMode mode = BodyMode.ContentLength) =>
            new($"POST dev-token: {name}", status, _ => Post("/v1/auth/dev-token", [ContentType(contentType)], body, mode), detail);
        BadInput Text(string name, int status, string json, string? detail) => Body(name, status, Utf8(json), detail);

        yield return Text("user_id a number", 400, """{"user_id":7}""", "user_id is required");
        yield return Text("user_id missing", 400, """{"email":"a@example.com"}""", "user_id is required");
        yield return Text("user_id empty", 400, """{"user_id":""}""", "1-64 characters");
        yield return Text("user_id of 65 characters", 400, $$"""{"user_id":"{{new string('u', 65)}}"}""", "1-64 characters");
        yield return Text("user_id with a space", 400, """{"user_id":"u 1"}""", "1-64 characters");
        yield return Text("user_id ending in a newline", 400, """{"user_id":"u_1\n"}""", "1-64 characters");
        yield return Text("user_id with a NUL", 400, """{"user_id":"u_1\u0000"}""", "1-64 characters");
        yield return Text("user_id not ASCII", 400, """{"user_id":"ünïcode"}""", "1-64 characters");
        yield return Text("user_id a lone surrogate", 400, """{"user_id":"\ud800"}""", "not valid Unicode");
        yield return Text("user_id an array", 400, """{"user_id":["u_1"]}""", "user_id is required");
        yield return Text("roles a string", 400, """{"user_id":"u_1","roles":"operator"}""", "roles must be an array of strings");
        yield return Text("roles of numbers", 400, """{"user_id":"u_1","roles":[1]}""", "roles must be an array of strings");
        yield return Text("roles with a null", 400, """{"user_id":"u_1","roles":[null]}""", "roles must be an array of strings");
        yield return Text("an unknown role", 400, """{"user_id":"u_1","roles":["admin"]}""", "Unknown role");
        yield return Text("the operator role while roles are off", 403, """{"user_id":"u_1","roles":["operator"]}""", "Auth:DevTokenRoles");
        yield return Text("email a number", 400, """{"user_id":"u_1","email":5}""", "plain e-mail address");
        yield return Text("email not an address", 400, """{"user_id":"u_1","email":"nobody"}""", "plain e-mail address");
        yield return Text("email with a display name", 400, """{"user_id":"u_1","email":"Ana <ana@example.com>"}""", "plain e-mail address");
        yield return Text("email of 300 characters", 400, $$"""{"user_id":"u_1","email":"{{new string('a', 288)}}@example.com"}""", "plain e-mail address");
        yield return Text("JSON cut short", 400, """{"user_id":"u_1" """, "not valid JSON");
        yield return Text("an array body", 400, """[{"user_id":"u_1"}]""", "JSON object");
        yield return Body("an empty body", 400, [], "not valid JSON");
        yield return Body("an invalid UTF-8 byte", 400, Bytes("{\"user_id\":\"u_\xff\"}"), "not UTF-8");
        yield return Body("text/plain", 415, Utf8("""{"user_id":"u_1"}"""), "application/json", "text/plain");
        yield return Body("100 KB with a Content-Length", 413, Utf8($$"""{"user_id":"u_1","x":"{{new string('x', 100_000)}}"}"""), "at most 65536");
        yield return Body("1 MB chunked", 413, Utf8($$"""{"user_id":"u_1","x":"{{new string('x', 1_000_000)}}"}"""), "at most 65536", mode: BodyMode.Chunked);
    }

    /// <summary>Ids that name nothing, or another user's things: 404 (never 403, which would say they exist).</summary>
    static IEnumerable<BadInput> Ids()
    {
        var longId = new string('x', 201);
        yield return new("GET hold request that does not exist", 404, c => Get("/v1/hold-requests/r_00000000000000000000000000000000", Bearer(c.OwnerToken)), "does not exist");
        yield return new("GET hold request with a 201-character id", 404, c => Get($"/v1/hold-requests/{longId}", Bearer(c.OwnerToken)));
        yield return new("GET hold request with a newline in its id", 404, c => Get("/v1/hold-requests/r_1%0A", Bearer(c.OwnerToken)));
        yield return new("GET someone else's hold request", 404, c => Get($"/v1/hold-requests/{c.OwnerRequestId}", Bearer(c.StrangerToken)), "does not exist");
        yield return new("GET events of a hold request that does not exist", 404, c => Get("/v1/hold-requests/r_nope/events", Bearer(c.OwnerToken)), "does not exist");
        yield return new("GET events of someone else's hold request", 404, c => Get($"/v1/hold-requests/{c.OwnerRequestId}/events", Bearer(c.StrangerToken)), "does not exist");
        yield return new("GET hold that does not exist", 404, c => Get("/v1/holds/h_nope", Bearer(c.OwnerToken)), "does not exist");
        yield return new("GET someone else's hold", 404, c => Get($"/v1/holds/{c.OwnerHoldId}", Bearer(c.StrangerToken)), "does not exist");
        yield return new("GET hold with a tab in its id", 404, c => Get("/v1/holds/h%09x", Bearer(c.OwnerToken)));
        yield return new("POST release of a hold that does not exist", 404, c => Post("/v1/holds/h_nope/release", [Bearer(c.OwnerToken)], null), "does not exist");
        yield return new("POST release of someone else's hold", 404, c => Post($"/v1/holds/{c.OwnerHoldId}/release", [Bearer(c.StrangerToken)], null), "does not exist");
        yield return new("POST release with a 201-character id", 404, c => Post($"/v1/holds/{longId}/release", [Bearer(c.OwnerToken)], null));
        yield return new("GET booking that does not exist", 404, c => Get("/v1/bookings/b_nope", Bearer(c.OwnerToken)), "does not exist");
        yield return new("GET booking with a 201-character id", 404, c => Get($"/v1/bookings/{longId}", Bearer(c.OwnerToken)));
        yield return new("GET show stats as a plain user", 403, c => Get($"/v1/ops/shows/{Show}/stats", Bearer(c.OwnerToken)), "operator");
        yield return new("GET show stats of a show that does not exist", 404, c => Get("/v1/ops/shows/s_nope/stats", Bearer(c.OperatorToken)), "does not exist");
        yield return new("GET show stats with a control character in the id", 404, c => Get("/v1/ops/shows/s%7F/stats", Bearer(c.OperatorToken)));
    }

    static IEnumerable<BadInput> Catalog()
    {
        BadInput Query(string name, int status, string target, string? detail = null) => new($"GET {name}", status, _ => Get(target), detail);

        yield return Query("movies on 9999-12-31", 400, "/v1/movies?date=9999-12-31", "at most 9999-12-30");
        yield return Query("movies on 0000-01-01", 400, "/v1/movies?date=0000-01-01", "YYYY-MM-DD");
        yield return Query("movies on 2026-02-30", 400, "/v1/movies?date=2026-02-30", "YYYY-MM-DD");
        yield return Query("movies on 'tomorrow'", 400, "/v1/movies?date=tomorrow", "YYYY-MM-DD");
        yield return Query("movies on 2026-1-1", 400, "/v1/movies?date=2026-1-1", "YYYY-MM-DD");
        yield return Query("movies on a date with a NUL", 400, "/v1/movies?date=2026-01-01%00", "YYYY-MM-DD");
        yield return Query("movies on a 5,000-digit year", 400, "/v1/movies?date=" + new string('9', 5_000) + "-01-01", "YYYY-MM-DD");
        yield return Query("movies in a city with a NUL", 400, "/v1/movies?city_id=c_test%00", "city_id must be");
        yield return Query("movies in a city of 201 characters", 400, "/v1/movies?city_id=" + new string('c', 201), "city_id must be");
        yield return Query("movies in a city that does not exist", 404, "/v1/movies?city_id=c_nowhere", "does not exist");
        yield return Query("shows of a movie on 9999-12-31", 400, "/v1/movies/m_test/shows?date=9999-12-31", "at most 9999-12-30");
        yield return Query("shows of a movie in a city with a control character", 400, "/v1/movies/m_test/shows?city_id=%01", "city_id must be");
        yield return Query("shows of a movie that does not exist", 404, "/v1/movies/m_nope/shows", "does not exist");
        yield return Query("screens of a venue that does not exist", 404, "/v1/venues/v_nope/screens", "does not exist");
        yield return Query("a show that does not exist", 404, "/v1/shows/s_nope", "does not exist");
        yield return Query("a show with a 201-character id", 404, "/v1/shows/" + new string('s', 201));
        yield return Query("seats of a show that does not exist", 404, "/v1/shows/s_nope/seats", "does not exist");
        yield return Query("seats of a show with an escape character in its id", 404, "/v1/shows/s%1B/seats");
        yield return new("DELETE cities", 405, _ => new RawRequest("DELETE", "/v1/cities", NoHeaders));
    }

    static IEnumerable<BadInput> Webhook()
    {
        const string Path = "/v1/webhooks/stripe";
        yield return new("POST Stripe webhook without a signature", 400, _ => Post(Path, [ContentType(Json)], Utf8("""{"id":"evt_1"}""")), "Stripe-Signature header is missing");
        yield return new("POST Stripe webhook with a forged signature", 400, _ => Post(Path, [ContentType(Json), ("Stripe-Signature", "t=1,v1=00")], Utf8("""{"id":"evt_1"}""")), "does not verify");
        yield return new("POST Stripe webhook that is not UTF-8", 400, _ => Post(Path, [ContentType(Json), ("Stripe-Signature", "t=1,v1=00")], Bytes("{\"id\":\"evt_\xff\"}")), "not UTF-8");
        yield return new("POST Stripe webhook of 2 MB chunked", 413, _ => Post(Path, [ContentType(Json), ("Stripe-Signature", "t=1,v1=00")],
            Utf8($$"""{"id":"{{new string('e', 2_000_000)}}"}"""), BodyMode.Chunked), "at most 1048576");
    }

    /// <summary>Requests Kestrel refuses before the application runs: its answers carry no problem+json.</summary>
    static IEnumerable<BadInput> Wire()
    {
        const string Kestrel = "Kestrel refuses the request before routing";
        static RawRequest Raw(string request) => new("", "", NoHeaders, Encoding.Latin1.GetBytes(request), BodyMode.Raw);

        yield return new("a NUL in the path", 400, c => Get("/v1/shows/s%00/seats"), ByKestrel: Kestrel + " (a decoded NUL in the path)");
        yield return new("a request line that is not HTTP", 400, _ => Raw("HELLO THERE\r\n\r\n"), ByKestrel: Kestrel + " (malformed request line)");
        yield return new("no Host header", 400, _ => Raw("GET /v1/cities HTTP/1.1\r\nConnection: close\r\n\r\n"), ByKestrel: Kestrel + " (HTTP/1.1 requires Host)");
        yield return new("a Content-Length that is not a number", 400, c => Raw($"POST /v1/shows/{Show}/hold HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {c.OwnerToken}\r\nContent-Type: application/json\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{{}}"),
            ByKestrel: Kestrel + " (invalid Content-Length)");
        yield return new("headers of 64 KB", 431, c => Raw($"GET /v1/cities HTTP/1.1\r\nHost: x\r\nX-Filler: {new string('f', 64 * 1024)}\r\nConnection: close\r\n\r\n"),
            ByKestrel: Kestrel + " (request headers larger than its 32 KB limit)");
        yield return new("a header value that is not ASCII", 400, c => Raw($"POST /v1/shows/{Show}/hold HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {c.OwnerToken}\r\nIdempotency-Key: cl\xe9\r\nContent-Type: application/json\r\nContent-Length: 19\r\nConnection: close\r\n\r\n{{\"seat_ids\":[\"A1\"]}}"),
            ByKestrel: Kestrel + " (header bytes beyond ASCII)");
        yield return new("a header line without a colon", 400, _ => Raw("GET /v1/cities HTTP/1.1\r\nHost: x\r\nNoColonHere\r\nConnection: close\r\n\r\n"), ByKestrel: Kestrel + " (malformed header)");
    }
}
