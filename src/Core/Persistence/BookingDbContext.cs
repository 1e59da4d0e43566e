using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace BookMyShow.Core.Persistence;

public sealed class BookingDbContext(DbContextOptions<BookingDbContext> options) : DbContext(options)
{
    public DbSet<City> Cities => Set<City>();
    public DbSet<Movie> Movies => Set<Movie>();
    public DbSet<Venue> Venues => Set<Venue>();
    public DbSet<Screen> Screens => Set<Screen>();
    public DbSet<ScreenSeat> ScreenSeats => Set<ScreenSeat>();
    public DbSet<Show> Shows => Set<Show>();
    public DbSet<ShowSeat> ShowSeats => Set<ShowSeat>();
    public DbSet<Hold> Holds => Set<Hold>();
    public DbSet<HoldSeat> HoldSeats => Set<HoldSeat>();
    public DbSet<HoldRequest> HoldRequests => Set<HoldRequest>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<InboxMessage> Inbox => Set<InboxMessage>();
    public DbSet<ShowStats> ShowStats => Set<ShowStats>();
    public DbSet<UserContact> UserContacts => Set<UserContact>();
    public DbSet<Booking> Bookings => Set<Booking>();
    public DbSet<ConfirmRequest> ConfirmRequests => Set<ConfirmRequest>();
    public DbSet<Bookings.BookingState> BookingStates => Set<Bookings.BookingState>();
    public DbSet<PartitionEpoch> PartitionEpochs => Set<PartitionEpoch>();

    /// <summary>
    /// Whether the provider is Npgsql, read once from the options: <c>Database.ProviderName</c> asks the provider's
    /// assembly for its name by reflection on every call, and the hot paths ask once or more per transaction.
    /// </summary>
    public bool IsPostgres { get; } = options.Extensions.Any(e => e.Info.IsDatabaseProvider && e.GetType().Name.StartsWith("Npgsql", StringComparison.Ordinal));

    // Inside our explicit transactions a failed SaveChanges fails the whole unit of work (its consume is retried from
    // the start), so EF's automatic savepoint around every SaveChanges (two more round trips) buys nothing. The one
    // place that goes on after a failed insert takes its own savepoint (the saga repository's Insert).
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        Database.AutoSavepointsEnabled = false;
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        Database.AutoSavepointsEnabled = false;
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<City>(e => { e.ToTable("cities"); e.HasKey(x => x.Id); });
        modelBuilder.Entity<Movie>(e => { e.ToTable("movies"); e.HasKey(x => x.Id); });
        modelBuilder.Entity<Venue>(e =>
        {
            e.ToTable("venues");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.CityId);
        });
        modelBuilder.Entity<Screen>(e =>
        {
            e.ToTable("screens");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.VenueId);
        });
        modelBuilder.Entity<ScreenSeat>(e =>
        {
            e.ToTable("screen_seats");
            e.HasKey(x => new { x.ScreenId, x.SeatId });
            e.Property(x => x.Price).HasPrecision(12, 2);
        });
        modelBuilder.Entity<Show>(e =>
        {
            e.ToTable("shows");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.MovieId, x.StartsAt });
            e.HasIndex(x => new { x.CityId, x.StartsAt });
        });
        modelBuilder.Entity<ShowSeat>(e =>
        {
            e.ToTable("show_seats");
            e.HasKey(x => new { x.ShowId, x.SeatId });
            e.Property(x => x.Price).HasPrecision(12, 2);
            // The seats of a hold (release, expiry, payment protection, confirmation). No index leads with status: one
            // did, its statistics from an all-AVAILABLE start made it look selective, and the planner read every HELD
            // seat of every show through it.
            e.HasIndex(x => x.HoldId).HasFilter("hold_id IS NOT NULL");
        });
        modelBuilder.Entity<Hold>(e =>
        {
            e.ToTable("holds");
            e.HasKey(x => x.Id);
            e.Property(x => x.TotalPrice).HasPrecision(12, 2);
            e.Ignore(x => x.EffectiveExpiry);
            e.HasIndex(x => new { x.Status, x.ExpiresAt });
            e.HasIndex(x => x.WarnAt).HasFilter("warn_at IS NOT NULL");
            e.HasIndex(x => x.UserId);
            e.HasIndex(x => x.RequestId).IsUnique();
            // A partition reading a show's active holds when it first needs the show (ADR 0022).
            e.HasIndex(x => x.ShowId).HasFilter("status = 'ACTIVE'").HasDatabaseName("ix_holds_active_show_id");
        });
        modelBuilder.Entity<HoldSeat>(e =>
        {
            e.ToTable("hold_seats");
            e.HasKey(x => new { x.HoldId, x.SeatId });
            e.HasIndex(x => new { x.ShowId, x.SeatId }).IsUnique().HasFilter("active").HasDatabaseName("ux_hold_seats_one_active_hold_per_seat");
        });
        modelBuilder.Entity<HoldRequest>(e =>
        {
            e.ToTable("hold_requests");
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedOnAdd();
            e.HasIndex(x => x.Id).IsUnique();
            e.HasIndex(x => new { x.ShowId, x.Status, x.Seq });
            e.HasIndex(x => new { x.UserId, x.IdempotencyKey }).IsUnique().HasFilter("idempotency_key IS NOT NULL");
            // The backstop sweep's look for stranded requests: only the few still QUEUED are in it.
            e.HasIndex(x => x.AdmittedAt).HasDatabaseName("ix_hold_requests_queued_admitted_at").HasFilter("status = 'QUEUED'");
        });
        modelBuilder.Entity<Booking>(e =>
        {
            e.ToTable("bookings");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.HoldId).IsUnique();
            e.HasIndex(x => x.UserId);
            e.Property(x => x.TotalAmount).HasPrecision(12, 2);
        });
        modelBuilder.Entity<ConfirmRequest>(e =>
        {
            e.ToTable("confirm_requests");
            e.HasKey(x => new { x.UserId, x.IdempotencyKey });
            e.HasIndex(x => new { x.HoldId, x.AttemptId });
            e.HasIndex(x => x.CreatedAt);
        });
        modelBuilder.Entity<Bookings.BookingState>(e =>
        {
            e.ToTable("booking_states");
            e.HasKey(x => x.CorrelationId);
            e.Property(x => x.CorrelationId).ValueGeneratedNever();
            e.Property(x => x.Amount).HasPrecision(12, 2);
            e.HasIndex(x => x.HoldId).IsUnique();
            e.HasIndex(x => new { x.CurrentState, x.ExpiresAt });
        });
        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.HasIndex(x => x.Id).HasFilter("parked_at IS NULL").HasDatabaseName("ix_outbox_messages_pending");
            // A partition deletes the rows it sent itself by message id (ADR 0022).
            e.HasIndex(x => x.MessageId);
        });
        modelBuilder.Entity<PartitionEpoch>(e =>
        {
            e.ToTable("partition_epochs");
            e.HasKey(x => x.Partition);
            e.Property(x => x.Partition).ValueGeneratedNever();
        });
        modelBuilder.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox_messages");
            e.HasKey(x => new { x.Consumer, x.MessageId });
            e.HasIndex(x => x.ProcessedAt);
        });
        modelBuilder.Entity<ShowStats>(e =>
        {
            e.ToTable("show_stats");
            e.HasKey(x => x.ShowId);
            e.Property(x => x.Revenue).HasPrecision(14, 2);
            e.Property(x => x.RefundedAmount).HasPrecision(14, 2);
        });
        modelBuilder.Entity<UserContact>(e =>
        {
            e.ToTable("user_contacts");
            e.HasKey(x => x.UserId);
        });

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
                if (property.ClrType == typeof(DateTime))
                {
                    property.SetValueConverter(UtcConverter);
                }
                else if (property.ClrType == typeof(DateTime?))
                {
                    property.SetValueConverter(NullableUtcConverter);
                }
            }
        }
    }

    // SQLite hands back DateTime of unspecified kind; every time we store is UTC.
    static readonly ValueConverter<DateTime, DateTime> UtcConverter =
        new(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    static readonly ValueConverter<DateTime?, DateTime?> NullableUtcConverter =
        new(v => v, v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);

    internal static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
