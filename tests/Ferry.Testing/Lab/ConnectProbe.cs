using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.Testing.Lab;

/// <summary>
/// The client's view of a failover: from a lab namespace, a fresh TCP connection to a VIP every
/// <see cref="ConnectProbeOptions.Interval"/> (connect, send the payload, half-close, read the backend's
/// name and the echo to the end), each recorded as a <see cref="ConnectAttempt"/>, until stopped or its
/// bounds are reached. Sockets are made inside the namespace (<see cref="NetworkNamespace"/>).
/// <code>
/// await using var probe = ConnectProbe.Start(lab.Client, new IPEndPoint(vip, 80));
/// await probe.WaitForSuccessAsync(TimeSpan.FromSeconds(30));
/// var fault = TimeProvider.System.GetUtcNow();
/// await owner.KillAsync(LabSignal.Kill);
/// var outage = await probe.WaitForRecoveryAsync(fault, TimeSpan.FromSeconds(30)); // null: never recovered
/// </code>
/// </summary>
public sealed class ConnectProbe : IAsyncDisposable
{
    private readonly LabNamespace _from;
    private readonly IPEndPoint _target;
    private readonly ConnectProbeOptions _options;
    private readonly List<ConnectAttempt> _attempts = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ConnectProbe(LabNamespace from, IPEndPoint target, ConnectProbeOptions options)
    {
        _from = from;
        _target = target;
        _options = options;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Every attempt so far, oldest first.</summary>
    public IReadOnlyList<ConnectAttempt> Attempts
    {
        get
        {
            lock (_lock)
            {
                return [.. _attempts];
            }
        }
    }

    /// <summary>How many attempts failed so far.</summary>
    public int Failures => Attempts.Count(a => !a.Succeeded);

    /// <summary>True once the probe has stopped (its bounds reached, or <see cref="StopAsync"/>).</summary>
    public bool Stopped => _loop.IsCompleted;

    /// <summary>Starts probing <paramref name="target"/> from <paramref name="from"/>.</summary>
    public static ConnectProbe Start(LabNamespace from, IPEndPoint target, ConnectProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(target);
        return new ConnectProbe(from, target, options ?? new ConnectProbeOptions());
    }

    /// <summary>One attempt, alone: a curl-like check that <paramref name="target"/> answers from <paramref name="from"/> (bytes both ways).</summary>
    public static async Task<ConnectAttempt> AttemptAsync(LabNamespace from, IPEndPoint target, ConnectProbeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(target);
        options ??= new ConnectProbeOptions();
        var started = options.Time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.AttemptTimeout);
        try
        {
            using var socket = NetworkNamespace.Run(from.Name, () => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
            await socket.ConnectAsync(target, limit.Token);
            if (options.Payload.Length > 0)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes(options.Payload), SocketFlags.None, limit.Token);
            }

            socket.Shutdown(SocketShutdown.Send);
            using var received = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token)) > 0 && received.Length < 1 << 20)
            {
                await received.WriteAsync(buffer.AsMemory(0, read), limit.Token);
            }

            var text = Encoding.ASCII.GetString(received.ToArray());
            if (text.Length == 0 || !text.EndsWith(options.Payload, StringComparison.Ordinal) || text.Length == options.Payload.Length)
            {
                return new ConnectAttempt(started, clock.Elapsed, false, null, $"unexpected answer \"{text}\"");
            }

            return new ConnectAttempt(started, clock.Elapsed, true, text[..^options.Payload.Length], null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ConnectAttempt(started, clock.Elapsed, false, null, "timed out");
        }
        catch (SocketException e)
        {
            return new ConnectAttempt(started, clock.Elapsed, false, null, e.SocketErrorCode.ToString());
        }
    }

    /// <summary>
    /// The outage a fault at <paramref name="fault"/> caused: from <paramref name="fault"/> until the end of the
    /// first successful attempt after the last failed one; zero when no attempt started after the fault failed;
    /// null while the last attempt still failed (or none has succeeded since).
    /// </summary>
    public TimeSpan? RecoveryAfter(DateTimeOffset fault)
    {
        var after = Attempts.Where(a => a.Started >= fault).ToList();
        var lastFailure = after.FindLastIndex(a => !a.Succeeded);
        if (lastFailure < 0)
        {
            return after.Count > 0 ? TimeSpan.Zero : null;
        }

        return lastFailure + 1 < after.Count ? after[lastFailure + 1].Finished - fault : null;
    }

    /// <summary>How many attempts started at or after <paramref name="since"/> failed.</summary>
    public int FailuresSince(DateTimeOffset since) => Attempts.Count(a => a.Started >= since && !a.Succeeded);

    /// <summary>
    /// Waits (polling, bounded by <paramref name="timeout"/>) until <paramref name="successes"/> attempts in a row
    /// started after <paramref name="fault"/> succeeded, then returns <see cref="RecoveryAfter"/>; null if not in time.
    /// </summary>
    public async Task<TimeSpan?> WaitForRecoveryAsync(DateTimeOffset fault, TimeSpan timeout, int successes = 3, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout && !_loop.IsCompleted)
        {
            var after = Attempts.Where(a => a.Started >= fault).ToList();
            if (after.Count >= successes && after[^successes..].All(a => a.Succeeded))
            {
                return RecoveryAfter(fault);
            }

            await Task.Delay(20, cancellationToken);
        }

        var all = Attempts.Where(a => a.Started >= fault).ToList();
        return all.Count >= successes && all[^successes..].All(a => a.Succeeded) ? RecoveryAfter(fault) : null;
    }

    /// <summary>Waits (bounded) for the first successful attempt and returns it, or null.</summary>
    public async Task<ConnectAttempt?> WaitForSuccessAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var success = Attempts.FirstOrDefault(a => a.Succeeded);
            if (success is not null || _loop.IsCompleted)
            {
                return success;
            }

            await Task.Delay(20, cancellationToken);
        }

        return null;
    }

    /// <summary>Stops probing and waits for the attempt in flight.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
#pragma warning disable VSTHRD003 // started by this instance
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
#pragma warning restore VSTHRD003
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < _options.MaxAttempts && clock.Elapsed < _options.MaxDuration && !_stop.IsCancellationRequested; i++)
        {
            ConnectAttempt attempt;
            try
            {
                attempt = await AttemptAsync(_from, _target, _options, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_lock)
            {
                _attempts.Add(attempt);
            }

            try
            {
                await Task.Delay(_options.Interval, _options.Time, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
