using System.Text.Json;
using BookMyShow.Contracts.Holds;
using BookMyShow.Core.Catalog;
using BookMyShow.Core.Persistence;
using BookMyShow.Gateway.Seats;
using BookMyShow.TestInfrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BookMyShow.Gateway.Tests.Seats;

/// <summary>Seat maps from the gateway's memory (ADR 0022): read once from PostgreSQL, then kept by the partitions' announcements.</summary>
public sealed class SeatMapsTests : IAsyncLifetime
{
    const string ShowId = "s_map";
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    ServiceProvider _provider = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(await (await TestServices.Shared).CreateDatabaseSettingsAsync("seatmaps")).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBookingDatabase(configuration);
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton(Options.Create(new Microsoft.AspNetCore.Http.Json.JsonOptions
        {
            SerializerOptions = { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower },
        }));
        services.AddSingleton<SeatMaps>();
        _provider = services.BuildServiceProvider();
        await using var db = await _provider.GetRequiredService<IDbContextFactory<BookingDbContext>>().CreateDbContextAsync();
        await db.Database.EnsureCreatedAsync();
        await CatalogLoader.LoadAsync(db, new CatalogDocument
        {
            Cities = [new CityDoc { CityId = "c_1", Name = "Testville" }],
            Movies = [new MovieDoc { MovieId = "m_1", Title = "Test Movie" }],
            Venues =
            [
                new VenueDoc
                {
                    VenueId = "v_1", CityId = "c_1", Name = "Venue",
                    Screens = [new ScreenDoc { ScreenId = "sc_1", Name = "Screen 1", Sections = [new SectionDoc { Name = "regular", Price = 250, Rows = ["A"], SeatsPerRow = 4 }] }],
                },
            ],
            Shows = [new ShowDoc { ShowId = ShowId, MovieId = "m_1", ScreenId = "sc_1", StartsAt = _time.GetUtcNow().AddDays(1), Currency = "INR" }],
        }, CancellationToken.None);
        // As a partition would have written it: A1 held for a minute at version 3, A2 booked at version 2.
        await db.ShowSeats.Where(s => s.ShowId == ShowId && s.SeatId == "A1").ExecuteUpdateAsync(u => u
            .SetProperty(s => s.Status, SeatStatus.Held).SetProperty(s => s.HoldId, "h_1").SetProperty(s => s.ExpiresAt, _time.GetUtcNow().UtcDateTime.AddMinutes(1))
            .SetProperty(s => s.Version, 3));
        await db.ShowSeats.Where(s => s.ShowId == ShowId && s.SeatId == "A2").ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, SeatStatus.Confirmed).SetProperty(s => s.Version, 2));
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    SeatMaps Maps => _provider.GetRequiredService<SeatMaps>();

    async Task<(Dictionary<string, string> Statuses, string ETag)> ReadAsync()
    {
        var body = await Maps.GetAsync(ShowId, CancellationToken.None);
        Assert.NotNull(body);
        using var json = JsonDocument.Parse(body.Json);
        var statuses = json.RootElement.GetProperty("seats").EnumerateArray()
            .ToDictionary(s => s.GetProperty("seat_id").GetString()!, s => s.GetProperty("status").GetString()!);
        return (statuses, body.ETag);
    }

    static ShowSeatMap Map(long version, DateTimeOffset until, string[] held, string[] confirmed) =>
        new() { ShowId = ShowId, Version = version, Held = [new HeldSeats { Until = until, SeatIds = held }], Confirmed = confirmed };

    [Fact]
    public async Task The_first_read_comes_from_the_database_and_newer_announcements_replace_it_older_ones_do_not()
    {
        var (first, etag) = await ReadAsync();
        Assert.Equal(["HELD", "CONFIRMED", "AVAILABLE", "AVAILABLE"], first.Values);

        Maps.Apply(Map(5, _time.GetUtcNow().AddMinutes(5), ["A3"], ["A2"]));
        var (newer, newerTag) = await ReadAsync();
        Assert.Equal(["AVAILABLE", "CONFIRMED", "HELD", "AVAILABLE"], newer.Values);
        Assert.NotEqual(etag, newerTag);

        Maps.Apply(Map(4, _time.GetUtcNow().AddMinutes(5), ["A4"], [])); // late and out of order: ignored
        Maps.Apply(Map(2, _time.GetUtcNow().AddMinutes(5), ["A4"], [])); // older than the database's: ignored too
        var (still, stillTag) = await ReadAsync();
        Assert.Equal(newer, still);
        Assert.Equal(newerTag, stillTag);
    }

    [Fact]
    public async Task A_held_seat_reads_available_once_its_hold_has_lapsed()
    {
        var (before, etag) = await ReadAsync();
        Assert.Equal("HELD", before["A1"]);

        _time.Advance(TimeSpan.FromMinutes(1));

        var (after, laterTag) = await ReadAsync();
        Assert.Equal("AVAILABLE", after["A1"]);
        Assert.NotEqual(etag, laterTag);
    }

    [Fact]
    public async Task An_unknown_show_has_no_map()
    {
        Assert.Null(await Maps.GetAsync("s_nowhere", CancellationToken.None));
    }
}
