using System.Collections.Concurrent;
using System.Net;
using Ferry.Controller.Serving;

namespace Ferry.Hosting.Tests.Serving;

/// <summary>
/// Claims that only record what was asked, in order, and answer what the test scripted; the L2
/// announcer itself is tested against real ARP and NDP in network namespaces (root only).
/// </summary>
internal sealed class RecordingClaims : IAddressClaims
{
    private readonly ConcurrentQueue<string> _log = new();

    /// <summary>An answer for a claim of this address with probe = true (a conflict, a failure); else claimed.</summary>
    public ConcurrentDictionary<IPAddress, AddressClaimResult> ProbeAnswers { get; } = new();

    /// <summary>Every call in order: <c>claim 127.1.2.3 probe silent</c>, <c>claim 127.1.2.3</c>, <c>stop-answering 127.1.2.3</c>, <c>announce-again 127.1.2.3</c>, <c>release 127.1.2.3</c>.</summary>
    public IReadOnlyList<string> Calls => [.. _log];

    /// <summary>Called with each call as it happens (to look at the data plane at that moment).</summary>
    public Action<string>? OnCall { get; set; }

    public Task<AddressClaimResult> ClaimAsync(IPAddress address, IReadOnlyList<string> interfaces, bool probe, bool silent, CancellationToken cancellationToken)
    {
        Record($"claim {address}{(probe ? " probe" : string.Empty)}{(silent ? " silent" : string.Empty)}");
        return Task.FromResult(probe && ProbeAnswers.TryGetValue(address, out var answer) ? answer : AddressClaimResult.Claimed(interfaces.Count == 0 ? ["lo"] : interfaces));
    }

    public Task StopAnsweringAsync(IPAddress address, CancellationToken cancellationToken)
    {
        Record($"stop-answering {address}");
        return Task.CompletedTask;
    }

    public Task AnnounceAgainAsync(IPAddress address, CancellationToken cancellationToken)
    {
        Record($"announce-again {address}");
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(IPAddress address, CancellationToken cancellationToken)
    {
        Record($"release {address}");
        return Task.CompletedTask;
    }

    private void Record(string call)
    {
        _log.Enqueue(call);
        OnCall?.Invoke(call);
    }
}
