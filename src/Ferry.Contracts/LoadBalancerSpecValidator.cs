using System.Globalization;
using System.Net;

namespace Ferry.Contracts;

/// <summary>
/// Checks a <see cref="LoadBalancerSpec"/> before anything is applied, so a bad model is rejected as a
/// whole with every problem named by its field path, and what already runs keeps running.
/// </summary>
public static class LoadBalancerSpecValidator
{
    /// <summary>Kubernetes' upper bound for <c>sessionAffinityConfig.clientIP.timeoutSeconds</c>.</summary>
    public static readonly TimeSpan MaxAffinityTimeout = TimeSpan.FromSeconds(86400);

    public const int MaxWeight = 1000;

    /// <summary>Returns every problem found; an empty list means the spec is valid.</summary>
    public static IReadOnlyList<ValidationError> Validate(LoadBalancerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<ValidationError>();

        if (string.IsNullOrWhiteSpace(spec.Key.Name))
        {
            errors.Add(new("key.name", "must not be empty"));
        }

        ValidateAddresses(spec, errors);
        ValidateSettings(spec.Settings, errors);

        var seen = new Dictionary<(TransportProtocol, int), int>();
        for (var i = 0; i < spec.Listeners.Length; i++)
        {
            var listener = spec.Listeners[i];
            var path = $"listeners[{i}]";
            if (listener is null)
            {
                errors.Add(new(path, "must not be null"));
                continue;
            }

            if (!Enum.IsDefined(listener.Protocol))
            {
                errors.Add(new($"{path}.protocol", $"unknown protocol {(int)listener.Protocol}"));
            }

            if (!IsPort(listener.Port))
            {
                errors.Add(new($"{path}.port", $"must be between 1 and 65535, got {listener.Port}"));
            }
            else if (seen.TryGetValue((listener.Protocol, listener.Port), out var first))
            {
                errors.Add(new(path, $"duplicates listeners[{first}] ({listener})"));
            }
            else
            {
                seen.Add((listener.Protocol, listener.Port), i);
            }

            ValidateBackends(listener, path, errors);
            if (listener.HealthCheck is { } check)
            {
                ValidateHealthCheck(check, $"{path}.healthCheck", errors);
            }
        }

        return errors;
    }

    /// <summary>Throws <see cref="LoadBalancerValidationException"/> when <paramref name="spec"/> is invalid.</summary>
    public static void ThrowIfInvalid(LoadBalancerSpec spec)
    {
        var errors = Validate(spec);
        if (errors.Count > 0)
        {
            throw new LoadBalancerValidationException(spec.Key, errors);
        }
    }

    private static void ValidateAddresses(LoadBalancerSpec spec, List<ValidationError> errors)
    {
        if (spec.Addresses.Length == 0)
        {
            errors.Add(new("addresses", "at least one address is required"));
        }

        var addresses = new HashSet<IPAddress>();
        for (var i = 0; i < spec.Addresses.Length; i++)
        {
            var address = spec.Addresses[i];
            if (address is null)
            {
                errors.Add(new($"addresses[{i}]", "must not be null"));
            }
            else if (!addresses.Add(address))
            {
                errors.Add(new($"addresses[{i}]", $"duplicate address {address}"));
            }
        }
    }

    private static void ValidateSettings(LoadBalancerSettings settings, List<ValidationError> errors)
    {
        if (!Enum.IsDefined(settings.Algorithm))
        {
            errors.Add(new("algorithm", $"unknown algorithm {(int)settings.Algorithm}"));
        }

        if (!Enum.IsDefined(settings.ProxyProtocol))
        {
            errors.Add(new("proxyProtocol", $"unknown PROXY protocol version {(int)settings.ProxyProtocol}"));
        }

        if (settings.SessionAffinity is { } affinity && (affinity.Timeout < TimeSpan.FromSeconds(1) || affinity.Timeout > MaxAffinityTimeout))
        {
            errors.Add(new("sessionAffinity.timeout", $"must be between 1 s and 86400 s, got {Seconds(affinity.Timeout)}"));
        }

        if (settings.DrainTimeout < TimeSpan.Zero)
        {
            errors.Add(new("drainTimeout", $"must not be negative, got {Seconds(settings.DrainTimeout)}"));
        }

        if (settings.TcpIdleTimeout <= TimeSpan.Zero)
        {
            errors.Add(new("tcpIdleTimeout", $"must be greater than 0, got {Seconds(settings.TcpIdleTimeout)}"));
        }

        if (settings.UdpIdleTimeout <= TimeSpan.Zero)
        {
            errors.Add(new("udpIdleTimeout", $"must be greater than 0, got {Seconds(settings.UdpIdleTimeout)}"));
        }

        if (settings.MaxUdpFlows <= 0)
        {
            errors.Add(new("maxUdpFlows", $"must be greater than 0, got {settings.MaxUdpFlows.ToString(CultureInfo.InvariantCulture)}"));
        }
    }

    private static void ValidateBackends(ListenerSpec listener, string path, List<ValidationError> errors)
    {
        var seen = new HashSet<(IPAddress, int)>();
        for (var j = 0; j < listener.Backends.Length; j++)
        {
            var backend = listener.Backends[j];
            var backendPath = $"{path}.backends[{j}]";
            if (backend is null)
            {
                errors.Add(new(backendPath, "must not be null"));
                continue;
            }

            if (backend.Address is null)
            {
                errors.Add(new($"{backendPath}.address", "must not be null"));
            }

            if (!IsPort(backend.Port))
            {
                errors.Add(new($"{backendPath}.port", $"must be between 1 and 65535, got {backend.Port}"));
            }

            if (backend.Weight is < 1 or > MaxWeight)
            {
                errors.Add(new($"{backendPath}.weight", $"must be between 1 and {MaxWeight}, got {backend.Weight}"));
            }

            if (backend.Address is not null && !seen.Add((backend.Address, backend.Port)))
            {
                errors.Add(new(backendPath, $"duplicate backend {backend}"));
            }
        }
    }

    private static void ValidateHealthCheck(HealthCheckSpec check, string path, List<ValidationError> errors)
    {
        if (!Enum.IsDefined(check.Type))
        {
            errors.Add(new($"{path}.type", $"unknown health check type {(int)check.Type}"));
        }

        if (check.Port is { } port && !IsPort(port))
        {
            errors.Add(new($"{path}.port", $"must be between 1 and 65535, got {port}"));
        }

        if (check.Interval <= TimeSpan.Zero)
        {
            errors.Add(new($"{path}.interval", $"must be greater than 0, got {Seconds(check.Interval)}"));
        }

        if (check.Timeout <= TimeSpan.Zero)
        {
            errors.Add(new($"{path}.timeout", $"must be greater than 0, got {Seconds(check.Timeout)}"));
        }

        if (check.HealthyThreshold < 1)
        {
            errors.Add(new($"{path}.healthyThreshold", $"must be at least 1, got {check.HealthyThreshold}"));
        }

        if (check.UnhealthyThreshold < 1)
        {
            errors.Add(new($"{path}.unhealthyThreshold", $"must be at least 1, got {check.UnhealthyThreshold}"));
        }

        if (check.Type == HealthCheckType.Http)
        {
            if (string.IsNullOrEmpty(check.Path) || check.Path[0] != '/')
            {
                errors.Add(new($"{path}.path", $"must start with '/', got \"{check.Path}\""));
            }

            if (check.ExpectedStatus is < 100 or > 599)
            {
                errors.Add(new($"{path}.expectedStatus", $"must be an HTTP status (100-599), got {check.ExpectedStatus}"));
            }
        }
    }

    private static bool IsPort(int port) => port is >= 1 and <= 65535;

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
