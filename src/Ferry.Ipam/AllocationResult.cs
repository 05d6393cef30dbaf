using System.Diagnostics.CodeAnalysis;

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

    [MemberNotNullWhen(true, nameof(Allocation))]
    [MemberNotNullWhen(false, nameof(Error), nameof(Message))]
    public bool Succeeded => Allocation is not null;

    public static AllocationResult Success(Allocation allocation) => new(allocation, null, null);

    public static AllocationResult Failure(AllocationError error, string message) => new(null, error, message);

    public override string ToString() => Succeeded ? $"assigned {string.Join(", ", Allocation.Addresses)}" : $"{Error}: {Message}";
}
