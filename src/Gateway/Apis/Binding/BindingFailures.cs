using System.Text.Json;

namespace BookMyShow.Gateway.Apis.Binding;

/// <summary>
/// Words a request body the framework could not bind to its type, as precisely as the hand-written parser this
/// replaces did: what System.Text.Json reports (a syntax error, a string that is not Unicode, a value of the wrong
/// type at a path) becomes the 400's detail. Pure, so the wording is unit-tested.
/// </summary>
public static class BindingFailures
{
    public const string EmptyBody = "The body is not valid JSON: The input does not contain any JSON tokens.";
    public const string NotAnObject = "The body must be a JSON object.";

    /// <summary>The 400 detail for a failed bind; <paramref name="body"/> words wrong types by path, when the endpoint's body type has words.</summary>
    public static string Describe(Exception? failure, JsonBodyErrors? body, bool bodyWasEmpty)
    {
        if (failure is not JsonException json)
        {
            // No JSON was read: an empty body, or the literal null (the framework found no object to bind).
            return bodyWasEmpty ? EmptyBody : NotAnObject;
        }
        var path = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
        return json.InnerException switch
        {
            // The reader's own error: not JSON at all (also nesting beyond the allowed depth).
            JsonException syntax => $"The body is not valid JSON: {FirstSentence(syntax.Message)}.",
            // A string value that is not valid Unicode: invalid UTF-8, or a lone UTF-16 surrogate such as \ud800. The
            // reader reports it as it reports a number where a string was expected, so only its words tell the two
            // apart ("Cannot read invalid UTF-16 JSON text as string"; BindingFailuresTests pins them).
            InvalidOperationException reading when reading.Message.Contains("UTF-", StringComparison.Ordinal) =>
                $"The body is not valid JSON: the string at {path} is not valid Unicode (invalid UTF-8 or a lone UTF-16 surrogate).",
            // Our own check (Utf8Body): bytes that are not UTF-8, wherever they are.
            _ when json is Utf8Body.InvalidUtf8Exception => $"The body is not valid JSON: {json.Message}",
            // A value of the wrong JSON type: the body type says what it expected there.
            _ when path == "$" => NotAnObject,
            _ => body?.WrongTypeDetail(path) ?? $"The value at {path} has the wrong JSON type.",
        };
    }

    static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }
}
