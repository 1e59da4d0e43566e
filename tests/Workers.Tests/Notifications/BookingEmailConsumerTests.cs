using BookMyShow.Contracts.Bookings;
using BookMyShow.Core.Catalog;
using BookMyShow.Core.Inbox;
using BookMyShow.Core.Outbox;
using BookMyShow.Core.Persistence;
using BookMyShow.TestInfrastructure;
using BookMyShow.TestInfrastructure.Smtp;
using BookMyShow.Workers.Notifications;
using BookMyShow.Workers.Notifications.Email;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BookMyShow.Workers.Tests.Notifications;

/// <summary>
/// The e-mail consumer on the in-memory test bus (one message at a time, in order), with a real PostgreSQL database
/// and real SMTP to a local sink: an expiry is one event for many holds (ADR 0017), mailed once per hold.
/// </summary>
public sealed class BookingEmailConsumerTests : IAsyncLifetime
{
    const string ShowId = "s_mail";
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    SmtpSink _sink = null!;
    ServiceProvider _provider = null!;
    ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _sink = await SmtpSink.StartAsync();
        var services = await TestServices.Shared;
        var settings = await services.CreateDatabaseSettingsAsync("email");
        settings["Notifications:Mail:Host"] = _sink.Host;
        settings["Notifications:Mail:Port"] = _sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Notifications:Mail:UseTls"] = "None";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddBookingDatabase(configuration);
        collection.AddMail(configuration);
        collection.AddMassTransitTestHarness(x => x.AddConsumer<BookingEmailConsumer>().Endpoint(e => e.ConcurrentMessageLimit = 1));
        _provider = collection.BuildServiceProvider(validateScopes: true);

        await using (var db = await Contexts().CreateDbContextAsync())
        {
            await db.Database.EnsureCreatedAsync();
            await CatalogLoader.LoadAsync(db, Catalog(), CancellationToken.None);
            db.UserContacts.AddRange(
                new UserContact { UserId = "u_asha", Email = "asha@example.com", UpdatedAt = DateTime.UtcNow },
                new UserContact { UserId = "u_ravi", Email = "ravi@example.com", UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async Task DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
        await _sink.DisposeAsync();
    }

    IDbContextFactory<BookingDbContext> Contexts() => _provider.GetRequiredService<IDbContextFactory<BookingDbContext>>();

    static CatalogDocument Catalog() => new()
    {
        Cities = [new CityDoc { CityId = "c_1", Name = "Testville" }],
        Movies = [new MovieDoc { MovieId = "m_1", Title = "Mail Movie" }],
        Venues =
        [
            new VenueDoc
            {
                VenueId = "v_1", CityId = "c_1", Name = "Venue",
                Screens = [new ScreenDoc { ScreenId = "sc_1", Name = "Screen 1", Sections = [new SectionDoc { Name = "regular", Price = 250, Rows = ["A"], SeatsPerRow = 5 }] }],
            },
        ],
        Shows = [new ShowDoc { ShowId = ShowId, MovieId = "m_1", ScreenId = "sc_1", StartsAt = DateTimeOffset.UtcNow.AddDays(1), Currency = "INR" }],
    };

    static ExpiredBooking Expired(string holdId, string userId, string seat) =>
        new() { ShowId = ShowId, HoldId = holdId, UserId = userId, SeatIds = [seat], Amount = 250m, Currency = "INR" };

    static BookingsExpired Expiry(params ExpiredBooking[] bookings) =>
        new() { ExpiredAt = DateTimeOffset.UtcNow, Bookings = bookings };

    static string[] Recipients(IEnumerable<MimeKit.MimeMessage> mails) =>
        [.. mails.Select(m => m.To.Mailboxes.Single().Address).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task One_expiry_of_several_holds_mails_each_user_with_an_address_once_even_when_redelivered()
    {
        var messageId = NewId.NextGuid();
        var expiry = Expiry(Expired("h_asha", "u_asha", "A1"), Expired("h_nobody", "u_nobody", "A2"), Expired("h_ravi", "u_ravi", "A3"));

        await _harness.Bus.Publish(expiry, c => c.MessageId = messageId);
        var mails = await _sink.WaitForAsync(m => m.Count >= 2, Patience);
        Assert.Equal(["asha@example.com", "ravi@example.com"], Recipients(mails));
        Assert.All(mails, m => Assert.StartsWith("Hold expired", m.Subject, StringComparison.Ordinal));

        // The same event again, then another: only the other one is mailed (one message at a time, in order).
        await _harness.Bus.Publish(expiry, c => c.MessageId = messageId);
        await _harness.Bus.Publish(Expiry(Expired("h_asha_2", "u_asha", "A4")));
        mails = await _sink.WaitForAsync(m => m.Count >= 3, Patience);
        Assert.Equal(["asha@example.com", "asha@example.com", "ravi@example.com"], Recipients(mails));
        Assert.Equal(3, _sink.Messages.Count);
    }

    [Fact]
    public async Task A_redelivery_after_part_of_the_list_was_mailed_mails_only_the_rest()
    {
        var messageId = NewId.NextGuid();
        // As if a first delivery had mailed Asha's hold and then failed on Ravi's.
        await using (var db = await Contexts().CreateDbContextAsync())
        {
            var sent = OutboxWriter.DerivedMessageId(messageId, BookingEmailConsumer.ExpiredPurpose + "h_asha");
            Assert.True(await db.TryRecordInboxAsync(BookingEmailConsumer.InboxName, sent, DateTime.UtcNow, CancellationToken.None));
        }

        await _harness.Bus.Publish(Expiry(Expired("h_asha", "u_asha", "A1"), Expired("h_ravi", "u_ravi", "A3")), c => c.MessageId = messageId);
        await _harness.Bus.Publish(Expiry(Expired("h_marker", "u_ravi", "A5")));

        var mails = await _sink.WaitForAsync(m => m.Count >= 2, Patience);
        Assert.Equal(["ravi@example.com", "ravi@example.com"], Recipients(mails));
    }
}
