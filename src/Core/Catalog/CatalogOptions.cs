using System.ComponentModel.DataAnnotations;

namespace BookMyShow.Core.Catalog;

/// <summary>Configuration section "Catalog".</summary>
public sealed class CatalogOptions
{
    public const string Section = "Catalog";

    /// <summary>A catalog JSON file to load on first start; when empty, the demo catalog is loaded.</summary>
    public string? File { get; set; }

    /// <summary>How many days of demo shows to create.</summary>
    [Range(1, 60)]
    public int DemoDays { get; set; } = 7;

    /// <summary>How long browse responses are cached in process.</summary>
    [Range(0, 86400)]
    public int CacheTtlSeconds { get; set; } = 300;
}
