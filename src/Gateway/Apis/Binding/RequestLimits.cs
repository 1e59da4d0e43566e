namespace BookMyShow.Gateway.Apis.Binding;

/// <summary>
/// How much body the server reads. The limit is Kestrel's, so it holds however the body comes: with a Content-Length
/// above it the read fails at once, a chunked body fails when it passes it (413 either way). A body that stalls or
/// trickles below Kestrel's minimum data rate (240 bytes/s after a 5 s grace) fails with 408.
/// </summary>
public static class RequestLimits
{
    public const long DefaultMaxBodyBytes = 64 * 1024;

    /// <summary>Stripe's signed events can be larger than any body of ours; its endpoint reads up to this much.</summary>
    public const long WebhookMaxBodyBytes = 1024 * 1024;

    public static WebApplicationBuilder AddRequestLimits(this WebApplicationBuilder builder, long maxBodyBytes)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBodyBytes);
        return builder;
    }
}
