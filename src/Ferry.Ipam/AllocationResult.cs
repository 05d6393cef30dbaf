using System.Diagnostics.CodeAnalysis;
using Ferry.Contracts;

namespace Ferry.Ipam;

/// <summary>The outcome of <see cref="IpAllocator.Assign"/>: an allocation, or an error with a message for Events and logs.</summary>
public sealed record AllocationResult
{
    private AllocationResult(Allocation? allocation, AllocationError? error, string? message)
    {
        Allocation = allocation;
        Error = error;
        Message = message;
    }

    public Allocation? Allocation { get; }

    public AllocationError? Error { get; }

    public string? Message { get; }

    /// <summary>
    /// On success, the Services that were waiting for an address and should be retried now, because
    /// this assignment moved its owner off an address or changed its ports (each is reported once).
    /// </summary>
    public IReadOnlyList<ServiceKey> Retry { get; private init; } = [];

    [MemberNotNullWhen(true, nameof(Allocation))]
    [MemberNotNullWhen(false, nameof(Error), nameof(Message))]
    public bool Succeeded => Allocation is not null;

    public static AllocationResult Success(Allocation allocation) => new(allocation, null, null);

    public static AllocationResult Failure(AllocationError error, string message) => new(null, error, message);

    /// <summary>This result, naming the waiters to retry.</summary>
    internal AllocationResult WithRetry(IReadOnlyList<ServiceKey> retry) => this with { Retry = retry };

    public override string ToString() => Succeeded ? $"assigned {string.Join(", ", Allocation.Addresses)}" : $"{Error}: {Message}";
}
