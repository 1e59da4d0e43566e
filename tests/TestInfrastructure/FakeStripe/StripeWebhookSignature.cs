using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BookMyShow.TestInfrastructure.FakeStripe;

/// <summary>Signs webhook payloads as Stripe does, for posting events to our webhook endpoint in tests.</summary>
public static class StripeWebhookSignature
{
    /// <summary>The Stripe-Signature header: <c>t={unix seconds},v1={hex HMAC-SHA256(secret, "{t}.{payload}")}</c>.</summary>
    public static string Header(string payload, string secret, DateTimeOffset? signedAt = null)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(secret);
        var timestamp = (signedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }
}
