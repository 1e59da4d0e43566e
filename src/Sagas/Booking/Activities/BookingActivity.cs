using BookMyShow.Core.Bookings;
using MassTransit;

namespace BookMyShow.Sagas.Booking.Activities;

/// <summary>
/// A step of the booking saga on one message type: <see cref="RunAsync"/> does the work, then the behaviour goes on
/// to the next activity. Exceptions are not handled here: the message's transaction rolls back and the endpoint
/// retries it (BookingSagaEndpoints).
/// </summary>
public abstract class BookingActivity<TMessage> : IStateMachineActivity<BookingState, TMessage>
    where TMessage : class
{
    public async Task Execute(BehaviorContext<BookingState, TMessage> context, IBehavior<BookingState, TMessage> next)
    {
        await RunAsync(context);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<BookingState, TMessage, TException> context, IBehavior<BookingState, TMessage> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope(GetType().Name);

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);

    protected abstract Task RunAsync(BehaviorContext<BookingState, TMessage> context);
}

/// <summary>A step of the booking saga that needs only the saga's state, whatever message is being handled.</summary>
public abstract class BookingActivity : IStateMachineActivity<BookingState>
{
    public async Task Execute(BehaviorContext<BookingState> context, IBehavior<BookingState> next)
    {
        await RunAsync(context);
        await next.Execute(context);
    }

    public async Task Execute<T>(BehaviorContext<BookingState, T> context, IBehavior<BookingState, T> next) where T : class
    {
        await RunAsync(context);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<BookingState, TException> context, IBehavior<BookingState> next)
        where TException : Exception => next.Faulted(context);

    public Task Faulted<T, TException>(BehaviorExceptionContext<BookingState, T, TException> context, IBehavior<BookingState, T> next)
        where T : class
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope(GetType().Name);

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);

    protected abstract Task RunAsync(BehaviorContext<BookingState> context);
}
