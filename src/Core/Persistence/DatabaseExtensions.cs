using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BookMyShow.Core.Persistence;

public static class DatabaseExtensions
{
    /// <summary>
    /// Registers <see cref="BookingDbContext"/> for the configured provider: connection string "Postgres" or "Sqlite".
    /// </summary>
    public static IServiceCollection AddBookingDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();

        switch (options.Provider)
        {
            case DatabaseProvider.Postgres:
            {
                var cs = configuration.GetConnectionString("Postgres");
                if (string.IsNullOrWhiteSpace(cs))
                {
                    throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Postgres is not set.");
                }
                var builder = new NpgsqlConnectionStringBuilder(cs);
                // (NpgsqlConnectionStringBuilder.ContainsKey says whether a keyword exists, not whether it was given.)
                var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = cs };
                if (!given.ContainsKey("Maximum Pool Size") && !given.ContainsKey("Max Pool Size")) builder.MaxPoolSize = options.MaxPoolSize;
                // A pooled connection keeps its session (no DISCARD ALL on each reuse) and with it the statements Npgsql
                // prepared automatically: the same few dozen statements run thousands of times a second, parsed and
                // planned once per connection instead of on every execution. The schema is fixed while processes run.
                if (!given.ContainsKey("No Reset On Close")) builder.NoResetOnClose = true;
                if (!given.ContainsKey("Max Auto Prepare")) builder.MaxAutoPrepare = 200;
                services.AddPooledDbContextFactory<BookingDbContext>(o => o.UseNpgsql(builder.ConnectionString));
                break;
            }
            case DatabaseProvider.Sqlite:
            {
                var cs = configuration.GetConnectionString("Sqlite");
                if (string.IsNullOrWhiteSpace(cs))
                {
                    cs = "Data Source=data/bookmyshow.db";
                }
                var builder = new SqliteConnectionStringBuilder(cs) { DefaultTimeout = 30, Pooling = true };
                var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
                if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
                services.AddPooledDbContextFactory<BookingDbContext>(o => o.UseSqlite(builder.ConnectionString));
                break;
            }
            default:
                throw new InvalidOperationException($"Database:Provider '{options.Provider}' is not supported.");
        }

        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<BookingDbContext>>().CreateDbContext());
        return services;
    }
}
