using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BookMyShow.Sagas.Booking.Activities;

public static class BookingActivityRegistration
{
    /// <summary>
    /// The booking saga's activities. They need a TimeProvider, BookingOptions, a PartitionRouter and the two ports
    /// (<see cref="Ports.IBookingOutbox"/>, <see cref="Ports.IConfirmAnswerStore"/>), which the caller registers:
    /// the transactional ones in production, the test harness's in specs.
    /// </summary>
    public static IServiceCollection AddBookingSagaActivities(this IServiceCollection services)
    {
        // Scoped: MassTransit resolves each activity from the scope of the message being handled.
        services.TryAddScoped<CopyHoldActivity>();
        services.TryAddScoped<BeginPaymentAttemptActivity>();
        services.TryAddScoped<ProtectHoldActivity>();
        services.TryAddScoped<ChargePaymentActivity>();
        services.TryAddScoped<ConfirmSeatsActivity>();
        services.TryAddScoped<EndPaymentAttemptActivity>();
        services.TryAddScoped<ExpireHoldNowActivity>();
        services.TryAddScoped<RecordHoldEndedActivity>();
        services.TryAddScoped<RefundLatePaymentActivity>();
        services.TryAddScoped<RefundRefusedConfirmationActivity>();
        services.TryAddScoped<RefundDuplicateChargeActivity>();
        services.TryAddScoped<RefundGivenUpAttemptActivity>();
        services.TryAddScoped<AnnounceRefundActivity>();
        services.TryAddScoped<AnswerHoldEndedActivity>();
        services.TryAddScoped<AnswerPaymentDeclinedActivity>();
        services.TryAddScoped<AnswerPaymentUnavailableActivity>();
        services.TryAddScoped<AnswerPaymentInProgressActivity>();
        services.TryAddScoped<AnswerBeingConfirmedActivity>();
        services.TryAddScoped<AnswerNotActiveActivity>();
        return services;
    }
}
