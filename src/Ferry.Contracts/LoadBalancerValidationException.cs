namespace Ferry.Contracts;

/// <summary>One problem found in a <see cref="LoadBalancerSpec"/>, naming the field as a path (e.g. <c>listeners[1].backends[0].port</c>).</summary>
public sealed record ValidationError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>Thrown by <see cref="ILoadBalancerProvider.EnsureAsync"/> for an invalid spec; nothing that runs was changed.</summary>
public sealed class LoadBalancerValidationException : Exception
{
    public LoadBalancerValidationException(LoadBalancerKey key, IReadOnlyList<ValidationError> errors)
        : base($"invalid load balancer {key}: {string.Join("; ", errors)}")
    {
        Key = key;
        Errors = errors;
    }

    public LoadBalancerKey Key { get; }

    public IReadOnlyList<ValidationError> Errors { get; }
}
