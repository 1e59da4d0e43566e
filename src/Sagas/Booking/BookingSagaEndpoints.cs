using BookMyShow.Core.Bookings;
using BookMyShow.Core.Messaging;
using BookMyShow.Core.Persistence;
using BookMyShow.Sagas.Booking.Activities;
using BookMyShow.Sagas.Booking.Ports;
using BookMyShow.Sagas.Persistence;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BookMyShow.Sagas.Booking;

/// <summary>Registers the booking saga with our EF Core repository on its own endpoint, <c>booking-saga</c>.</summary>
public sealed class BookingSagaEndpoints : IBusContribution
{
    public const string Queue = "booking-saga";

    public void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddBookingSagaActivities();
        // What the saga sends and answers is written in its own transaction (ADR 8, 26).
        bus.TryAddSingleton<IBookingOutbox, TransactionalBookingOutbox>();
        bus.TryAddSingleton<IConfirmAnswerStore, TransactionalConfirmAnswerStore>();
        bus.AddSagaStateMachine<BookingStateMachine, BookingState>().EfCoreRepository<BookingDbContext, BookingState>();
    }

    public void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus, TransportKind transport) =>
        bus.ReceiveEndpoint(Queue, e =>
        {
            e.PrefetchCount = 64;
            // Transient database errors (waited out for about 4 minutes), two first confirmations of one hold at once:
            // try again; only then the error queue.
            e.UseMessageRetry(Retries.WaitOutAnOutage);
            e.ConfigureSaga<BookingState>(context);
        });
}
