using System.ComponentModel.DataAnnotations;

namespace BookMyShow.Core.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Configuration section "Database".</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Create the schema and load the catalog at start when they are missing.</summary>
    public bool ApplySchemaOnStart { get; set; } = true;

    [Range(1, 1000)]
    public int MaxPoolSize { get; set; } = 64;
}
