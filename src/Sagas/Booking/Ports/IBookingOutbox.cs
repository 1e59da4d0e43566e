using MassTransit;

namespace BookMyShow.Sagas.Booking.Ports;

/// <summary>
/// Where the booking saga's commands and events go. In production they are outbox rows of the saga's own transaction
/// (<see cref="TransactionalBookingOutbox"/>), so they leave exactly when the saga's new state is committed; specs
/// give the test harness's own publish and send instead.
/// </summary>
public interface IBookingOutbox
{
    /// <param name="messageId">
    /// Derived from the message being handled, so that handling it again yields the same id and consumers' inboxes
    /// drop the copy (ADR 9).
    /// </param>
    Task PublishAsync<T>(ConsumeContext context, T message, Guid messageId) where T : class;

    Task SendAsync<T>(ConsumeContext context, T message, Uri destination) where T : class;
}
