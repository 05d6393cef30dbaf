using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Ferry.Cli.Commands;

/// <summary>
/// The first SIGINT/SIGTERM cancels <see cref="Token"/> so the command stops in order; a second one
/// is left to the runtime, which ends the process at once.
/// </summary>
internal sealed partial class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stopping;
    private readonly ILogger _logger;
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;
    private int _signalled;

    public StopSignals(ILogger logger, CancellationToken cancellationToken)
    {
        _logger = logger;
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _stopping.Token;

    /// <summary>Completes (without throwing) when a stop signal arrives or the command is cancelled.</summary>
    public Task WaitAsync()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _stopping.Token.Register(() => stopped.TrySetResult());
        return stopped.Task;
    }

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _stopping.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Atomically the first: two signals handled at once (SIGINT and SIGTERM, or a runner that
        // signals both the process and its group) must not both log and both count as the first.
        if (_stopping.IsCancellationRequested || Interlocked.Exchange(ref _signalled, 1) != 0)
        {
            return;
        }

        context.Cancel = true;
        Log.Stopping(_logger, context.Signal);
        _stopping.Cancel();
    }

    private static partial class Log
    {
        [LoggerMessage(7400, LogLevel.Information, "{Signal}: stopping (send it again to exit at once)")]
        public static partial void Stopping(ILogger logger, PosixSignal signal);
    }
}
