using System.Buffers;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace BookMyShow.TestInfrastructure.Smtp;

public enum SmtpFailure
{
    /// <summary>Every message is accepted (250) and recorded.</summary>
    None,

    /// <summary>Every transaction is answered with 451 (local error, try again later); nothing is recorded.</summary>
    TransientReject,
}

/// <summary>
/// A real SMTP server (the SmtpServer package) on 127.0.0.1 that records each message it accepts, parsed with MimeKit.
/// Clients such as MailKit talk to it unmodified; no TLS, no authentication.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    readonly Lock _gate = new();
    readonly List<MimeMessage> _messages = [];
    readonly CancellationTokenSource _stopping = new();
    TaskCompletionSource _arrived = NewSignal();
    Task _running = Task.CompletedTask;
    volatile SmtpFailure _failure;
    int _rejected;

    SmtpSink(int port) => Port = port;

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>How the sink answers transactions now; see <see cref="FailWith"/>.</summary>
    public SmtpFailure Failure => _failure;

    /// <summary>Transactions answered with a failure so far (to check that a client really reached the sink).</summary>
    public int RejectedCount => Volatile.Read(ref _rejected);

    /// <summary>The messages accepted so far, in order of arrival (a snapshot).</summary>
    public IReadOnlyList<MimeMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Starts the server on 127.0.0.1 and a free port; it listens when this returns.</summary>
    public static async Task<SmtpSink> StartAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var sink = new SmtpSink(FreePort.Next());
            try
            {
                await sink.ListenAsync(cancellationToken).ConfigureAwait(false);
                return sink;
            }
            // FreePort releases the port before we bind it, so another process may take it meanwhile.
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 5)
            {
                await sink.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await sink.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>From now on, answer every transaction as <paramref name="failure"/> says; <see cref="SmtpFailure.None"/> recovers.</summary>
    public void FailWith(SmtpFailure failure) => _failure = failure;

    /// <summary>
    /// Completes with the messages received so far once <paramref name="condition"/> holds for them; re-checked on each arrival.
    /// </summary>
    /// <exception cref="TimeoutException">The condition still did not hold after <paramref name="timeout"/>.</exception>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(
        Func<IReadOnlyList<MimeMessage>, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var deadline = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        while (true)
        {
            IReadOnlyList<MimeMessage> messages;
            Task arrived;
            lock (_gate)
            {
                messages = [.. _messages];
                arrived = _arrived.Task;
            }
            if (condition(messages))
            {
                return messages;
            }

            try
            {
                await arrived.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"Timed out after {timeout.TotalSeconds:0.###} s waiting for the SMTP sink {Host}:{Port} to receive the expected mail. " +
                    $"Received {messages.Count} message(s){Describe(messages)}; rejected {RejectedCount} transaction(s); failure mode {Failure}.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        // Also a server that failed to bind (see StartAsync) is disposed, and its fault was already reported.
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    async Task ListenAsync(CancellationToken cancellationToken)
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("bookmyshow-smtp-sink")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();

        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, _) => listening.TrySetResult();

        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add(new Filter(this));
        services.Add(new Store(this));

        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stopping.Token);

        // A failed bind faults the server task instead of raising EndpointStarted.
        var first = await Task.WhenAny(listening.Task, _running).WaitAsync(cancellationToken).ConfigureAwait(false);
        await first.ConfigureAwait(false);
        if (first == _running)
        {
            throw new InvalidOperationException($"The SMTP sink stopped before listening on {Host}:{Port}.");
        }
    }

    void Record(MimeMessage message)
    {
        lock (_gate)
        {
            _messages.Add(message);
            _arrived.TrySetResult();
            _arrived = NewSignal();
        }
    }

    SmtpResponse? Rejection()
    {
        if (_failure == SmtpFailure.None)
        {
            return null;
        }

        Interlocked.Increment(ref _rejected);
        return new SmtpResponse(SmtpReplyCode.Aborted, "4.3.0 Temporary failure (SmtpSink.FailWith), try again later");
    }

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    static string Describe(IReadOnlyList<MimeMessage> messages) =>
        messages.Count == 0 ? "" : ": " + string.Join("; ", messages.Select(m => $"'{m.Subject}' to {m.To}"));

    // Rejecting at MAIL FROM answers the whole transaction before any data is sent, as a greylisting server would.
    sealed class Filter(SmtpSink sink) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
            sink.Rejection() is { } rejection ? throw new SmtpResponseException(rejection) : Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(true);
    }

    sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            // FailWith may have been called after MAIL FROM was accepted.
            if (sink.Rejection() is { } rejection)
            {
                return rejection;
            }

            using var stream = new MemoryStream(buffer.ToArray());
            sink.Record(await MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false));
            return SmtpResponse.Ok;
        }
    }
}
