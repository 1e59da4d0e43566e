using System.Globalization;

namespace BookMyShow.Workers.Payments;

/// <summary>Stripe's amounts: integers in the currency's smallest unit (paise, cents; yen are already whole).</summary>
public static class StripeAmounts
{
    // https://docs.stripe.com/currencies#zero-decimal
    static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    };

    // https://docs.stripe.com/currencies#three-decimal
    static readonly HashSet<string> ThreeDecimal = new(StringComparer.OrdinalIgnoreCase) { "BHD", "JOD", "KWD", "OMR", "TND" };

    public static int DecimalsOf(string currency) =>
        ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;

    /// <summary>Major units to Stripe's integer amount.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive, or finer than the currency's smallest unit.</exception>
    public static long ToMinorUnits(decimal amount, string currency)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(currency);
        var minor = amount * Pow10(DecimalsOf(currency));
        if (minor <= 0 || minor != decimal.Truncate(minor) || minor > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount,
                string.Create(CultureInfo.InvariantCulture, $"{amount} {currency.ToUpperInvariant()} is not a positive whole number of the currency's smallest unit."));
        }
        return (long)minor;
    }

    /// <summary>Stripe's integer amount back to major units.</summary>
    public static decimal FromMinorUnits(long amount, string currency)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(currency);
        return amount / Pow10(DecimalsOf(currency));
    }

    static decimal Pow10(int decimals) => decimals switch { 0 => 1m, 2 => 100m, _ => 1000m };
}
