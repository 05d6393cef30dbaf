using System.Globalization;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Ferry.Contracts.Addressing;

namespace Ferry.ApiServer.Admission;

/// <summary>
/// kube-apiserver's Service allocator (kubernetes <c>pkg/registry/core/service/storage/alloc.go</c>): cluster IPs
/// from the service CIDR, node ports and <c>healthCheckNodePort</c> from the node-port range, with upstream's
/// rules and error texts. It writes the allocated values into the Service JSON.
/// </summary>
/// <remarks>
/// <para>State is in memory; call <see cref="Rebuild"/> with every stored Service at start-up. Thread-safe: every
/// operation takes an internal lock. Randomness is injected so tests are deterministic.</para>
/// <para>Simplifications: an IPv4 service CIDR and, optionally (<see cref="ServiceAllocatorOptions.ServiceCidrIPv6"/>),
/// an IPv6 one for single-stack IPv6 Services. Dual-stack Services, and IPv6 ones without the IPv6 CIDR, are
/// rejected as "not configured on this cluster", as upstream does on a single-stack cluster.</para>
/// </remarks>
public sealed partial class ServiceAllocator
{
    private readonly Lock _lock = new();
    private readonly uint _network;
    private readonly int _prefix;
    private readonly RangeAllocator _ips;
    private readonly RangeAllocator _ports;
    private readonly long _reservedOffset = -1;
    private readonly UInt128 _network6;
    private readonly int _prefix6;
    private readonly RangeAllocator? _ips6;

    /// <summary>IPv6 offsets are kept from here on in <see cref="ServiceAllocation"/> (IPv4 ones stay below 2^24).</summary>
    private const long IPv6OffsetBase = 1L << 40;

    public ServiceAllocator(ServiceAllocatorOptions? options = null, Random? random = null)
    {
        Options = options ?? new ServiceAllocatorOptions();
        random ??= new Random();
        var problems = Options.Validate();
        if (problems.Count > 0 || !ServiceAllocatorOptions.TryParseServiceCidr(Options.ServiceCidr, out var address, out _prefix))
        {
            throw new ArgumentException($"Invalid {nameof(ServiceAllocatorOptions)}: {string.Join("; ", problems)}", nameof(options));
        }

        _network = ToUInt(address) & (uint.MaxValue << (32 - _prefix));
        ServiceCidr = ToAddress(_network) + "/" + _prefix.ToString(CultureInfo.InvariantCulture);

        // Usable addresses exclude the network and broadcast addresses: offset k means _network + 1 + k.
        var ipCount = (1L << (32 - _prefix)) - 2;
        _ips = new RangeAllocator(ipCount, Math.Min(Math.Max(16, ipCount / 16), 256), random);
        var portCount = Options.NodePortMax - Options.NodePortMin + 1L;
        _ports = new RangeAllocator(portCount, Math.Min(Math.Max(16, portCount / 32), 128), random);
        if (Options.ServiceCidrIPv6 is not null && ServiceAllocatorOptions.TryParseServiceCidrIPv6(Options.ServiceCidrIPv6, out var address6, out _prefix6))
        {
            _network6 = ToUInt128(address6) & (UInt128.MaxValue << (128 - _prefix6));
            ServiceCidrIPv6 = ToAddress(_network6) + "/" + _prefix6.ToString(CultureInfo.InvariantCulture);
            var count6 = (1L << (128 - _prefix6)) - 1; // no broadcast in IPv6; the subnet-router anycast address (offset -1) is skipped
            _ips6 = new RangeAllocator(count6, Math.Min(Math.Max(16, count6 / 16), 256), random);
        }

        if (Options.ReserveFirstAddress)
        {
            _reservedOffset = 0;
            _ips.TryAllocate(0);
        }
    }

    public ServiceAllocatorOptions Options { get; }

    /// <summary>The normalised service CIDR, e.g. <c>10.96.0.0/12</c>.</summary>
    public string ServiceCidr { get; }

    /// <summary>The normalised IPv6 service CIDR, e.g. <c>fd00:10:96::/112</c>; null when IPv6 is not configured.</summary>
    public string? ServiceCidrIPv6 { get; }

    /// <summary>The node-port range as upstream prints it, e.g. <c>30000-32767</c>.</summary>
    public string NodePortRange => Options.NodePortMin.ToString(CultureInfo.InvariantCulture) + "-" + Options.NodePortMax.ToString(CultureInfo.InvariantCulture);

    /// <summary>Allocated node ports (service node ports and health-check ports).</summary>
    public int AllocatedNodePortCount
    {
        get
        {
            lock (_lock)
            {
                return _ports.Count;
            }
        }
    }

    /// <summary>Allocated cluster IPs (including the reserved first address).</summary>
    public int AllocatedClusterIPCount
    {
        get
        {
            lock (_lock)
            {
                return _ips.Count + (_ips6?.Count ?? 0);
            }
        }
    }

    public bool IsNodePortAllocated(int port)
    {
        lock (_lock)
        {
            return port >= Options.NodePortMin && port <= Options.NodePortMax && _ports.IsUsed(port - Options.NodePortMin);
        }
    }

    public bool IsClusterIPAllocated(string ip)
    {
        lock (_lock)
        {
            return IpOffset(ip) is { } offset && RangeOf(offset).IsUsed(Local(offset));
        }
    }

    /// <summary>Forgets everything and marks what the stored Services hold (start-up). Conflicting claims are
    /// ignored: the first Service to claim a value keeps it.</summary>
    public void Rebuild(IEnumerable<JsonObject> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        lock (_lock)
        {
            _ips.Clear();
            _ips6?.Clear();
            _ports.Clear();
            if (_reservedOffset >= 0)
            {
                _ips.TryAllocate(_reservedOffset);
            }

            foreach (var service in services)
            {
                foreach (var ip in ServiceFields.ClusterIPs(service))
                {
                    if (IpOffset(ip) is { } offset)
                    {
                        RangeOf(offset).TryAllocate(Local(offset));
                    }
                }

                foreach (var port in NodePortsOf(service).Append(HealthCheckOf(service)))
                {
                    if (PortOffset(port) is { } offset)
                    {
                        _ports.TryAllocate(offset);
                    }
                }
            }
        }
    }

    /// <summary>Allocates everything a new Service needs and commits at once; on errors nothing stays allocated.</summary>
    public IReadOnlyList<FieldError> AllocateForCreate(JsonObject service)
    {
        var allocation = BeginCreate(service);
        allocation.Commit();
        return allocation.Errors;
    }

    /// <summary>Allocates and releases what an update needs and commits at once; on errors nothing changes.</summary>
    public IReadOnlyList<FieldError> AllocateForUpdate(JsonObject old, JsonObject updated)
    {
        var allocation = BeginUpdate(old, updated);
        allocation.Commit();
        return allocation.Errors;
    }

    /// <summary>Releases the cluster IP, node ports and health-check port of a deleted Service.</summary>
    public void Release(JsonObject service)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock)
        {
            foreach (var ip in ServiceFields.ClusterIPs(service))
            {
                if (IpOffset(ip) is { } offset && offset != _reservedOffset)
                {
                    RangeOf(offset).Release(Local(offset));
                }
            }

            foreach (var port in NodePortsOf(service).Append(HealthCheckOf(service)))
            {
                if (PortOffset(port) is { } offset)
                {
                    _ports.Release(offset);
                }
            }
        }
    }

    /// <summary>Starts a create: reserves values and writes them into <paramref name="service"/>.</summary>
    public ServiceAllocation BeginCreate(JsonObject service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var allocation = new ServiceAllocation(this);
        lock (_lock)
        {
            var errors = new List<FieldError>();
            if (ServiceFields.NeedsClusterIP(service))
            {
                AllocateClusterIP(service, allocation, errors);
            }

            if (errors.Count == 0 && ServiceFields.NeedsNodePort(service))
            {
                InitNodePorts(service, allocation, errors);
            }

            if (errors.Count == 0 && ServiceFields.NeedsHealthCheck(service))
            {
                AllocateHealthCheck(service, allocation, errors);
            }

            Conclude(allocation, errors);
        }

        return allocation;
    }

    /// <summary>
    /// Starts an update: first copies allocated values the client omitted from <paramref name="old"/>
    /// (upstream <c>patchAllocatedValues</c>: cluster IPs, node ports by port name, health-check port), then
    /// allocates what is newly needed and schedules the release of what is no longer needed.
    /// </summary>
    public ServiceAllocation BeginUpdate(JsonObject old, JsonObject updated)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(updated);
        PatchAllocatedValues(updated, old);
        var allocation = new ServiceAllocation(this);
        lock (_lock)
        {
            var errors = new List<FieldError>();
            var oldNeedsIp = ServiceFields.NeedsClusterIP(old);
            var newNeedsIp = ServiceFields.NeedsClusterIP(updated);
            if (newNeedsIp && !oldNeedsIp)
            {
                AllocateClusterIP(updated, allocation, errors);
            }
            else if (!newNeedsIp && oldNeedsIp)
            {
                foreach (var ip in ServiceFields.ClusterIPs(old))
                {
                    if (IpOffset(ip) is { } offset && offset != _reservedOffset)
                    {
                        allocation.ReleasedIps.Add(offset);
                    }
                }
            }
            else if (newNeedsIp && ServiceFields.ClusterIPs(updated).Count == 0)
            {
                AllocateClusterIP(updated, allocation, errors);
            }

            if (errors.Count == 0)
            {
                if (ServiceFields.NeedsNodePort(updated))
                {
                    UpdateNodePorts(old, updated, allocation, errors);
                }
                else if (ServiceFields.NeedsNodePort(old))
                {
                    allocation.ReleasedPorts.AddRange(NodePortsOf(old).Where(p => p != 0));
                }
            }

            if (errors.Count == 0)
            {
                var needed = ServiceFields.NeedsHealthCheck(old);
                var needs = ServiceFields.NeedsHealthCheck(updated);
                if (!needed && needs)
                {
                    AllocateHealthCheck(updated, allocation, errors);
                }
                else if (needed && !needs && HealthCheckOf(old) != 0)
                {
                    allocation.ReleasedPorts.Add(HealthCheckOf(old));
                }
            }

            Conclude(allocation, errors);
        }

        return allocation;
    }

    internal void Finish(ServiceAllocation allocation, bool commit)
    {
        lock (_lock)
        {
            if (commit)
            {
                foreach (var offset in allocation.ReleasedIps)
                {
                    RangeOf(offset).Release(Local(offset));
                }

                foreach (var port in allocation.ReleasedPorts)
                {
                    if (PortOffset(port) is { } offset && !allocation.AllocatedPorts.Contains(port))
                    {
                        _ports.Release(offset);
                    }
                }
            }
            else
            {
                RollBack(allocation);
            }
        }
    }

    private static void PatchAllocatedValues(JsonObject updated, JsonObject old)
    {
        var spec = ServiceFields.EnsureSpec(updated);
        var oldSpec = ServiceFields.Spec(old) ?? [];
        if (ServiceFields.NeedsClusterIP(old) && ServiceFields.NeedsClusterIP(updated))
        {
            if (string.IsNullOrEmpty(ServiceFields.GetString(spec, "clusterIP")) && ServiceFields.GetString(oldSpec, "clusterIP") is { Length: > 0 } ip)
            {
                spec["clusterIP"] = ip;
            }

            if (ServiceFields.StringList(spec, "clusterIPs").Count == 0 && oldSpec["clusterIPs"] is JsonArray { Count: > 0 } ips)
            {
                spec["clusterIPs"] = ips.DeepClone();
            }
        }

        if (ServiceFields.NeedsNodePort(old) && ServiceFields.NeedsNodePort(updated))
        {
            var used = NodePortsOf(old).Intersect(NodePortsOf(updated)).ToHashSet();
            var byName = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var port in ServiceFields.Ports(old))
            {
                byName[ServiceFields.GetString(port, "name") ?? string.Empty] = ServiceFields.GetInteger(port, "nodePort") ?? 0;
            }

            foreach (var port in ServiceFields.Ports(updated))
            {
                if ((ServiceFields.GetInteger(port, "nodePort") ?? 0) == 0
                    && byName.TryGetValue(ServiceFields.GetString(port, "name") ?? string.Empty, out var previous)
                    && previous != 0 && !used.Contains((int)previous))
                {
                    port["nodePort"] = previous;
                }
            }
        }

        if (ServiceFields.NeedsHealthCheck(old) && ServiceFields.NeedsHealthCheck(updated)
            && (ServiceFields.GetInteger(spec, "healthCheckNodePort") ?? 0) == 0 && HealthCheckOf(old) != 0)
        {
            spec["healthCheckNodePort"] = HealthCheckOf(old);
        }
    }

    private void AllocateClusterIP(JsonObject service, ServiceAllocation allocation, List<FieldError> errors)
    {
        var spec = ServiceFields.EnsureSpec(service);
        if (ServiceFields.GetString(spec, "ipFamilyPolicy") == "RequireDualStack")
        {
            errors.Add(FieldErrors.Invalid("spec.ipFamilyPolicy", "RequireDualStack", "this cluster is not configured for dual-stack services"));
        }

        var families = ServiceFields.StringList(spec, "ipFamilies");
        for (var i = 0; i < families.Count; i++)
        {
            // With an IPv6 range a single-stack IPv6 Service is served; a second family is dual-stack, not configured.
            if (families[i] == "IPv6" && (_ips6 is null || i > 0))
            {
                errors.Add(FieldErrors.Invalid($"spec.ipFamilies[{i.ToString(CultureInfo.InvariantCulture)}]", "IPv6", "not configured on this cluster"));
            }
        }

        if (errors.Count > 0 || ServiceFields.IsHeadless(service))
        {
            return;
        }

        var requested = ServiceFields.ClusterIPs(service);
        var ipv6 = families is ["IPv6", ..];
        if (requested.Count == 0)
        {
            if ((ipv6 ? _ips6!.AllocateNext() + IPv6OffsetBase : _ips.AllocateNext()) is not { } offset)
            {
                errors.Add(FieldErrors.Internal("failed to allocate a serviceIP: range is full"));
                return;
            }

            allocation.AllocatedIps.Add(offset);
            var ip = OffsetToIp(offset);
            spec["clusterIP"] = ip;
            spec["clusterIPs"] = new JsonArray(ip);
            return;
        }

        var first = requested[0];
        if (!NetworkText.TryParseAddress(first, out var address) || address.AddressFamily != (ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork))
        {
            // Left to validation (invalid IP, or family mismatch).
            return;
        }

        string? problem = null;
        if (IpOffset(first) is { } reserved && reserved == _reservedOffset && IsKubernetesService(service))
        {
            // The reserved first address belongs to default/kubernetes, as kube-apiserver's own Service.
            return;
        }

        if (IpOffset(first) is not { } wanted)
        {
            problem = $"the provided IP ({first}) is not in the valid range. The range of valid IPs is {(ipv6 ? ServiceCidrIPv6 : ServiceCidr)}";
        }
        else if (!RangeOf(wanted).TryAllocate(Local(wanted)))
        {
            problem = "provided IP is already allocated";
        }
        else
        {
            allocation.AllocatedIps.Add(wanted);
        }

        if (problem is not null)
        {
            errors.Add(FieldErrors.Invalid("spec.clusterIPs", spec["clusterIPs"] ?? new JsonArray(first), $"failed to allocate IP {first}: {problem}"));
        }
    }

    private void Conclude(ServiceAllocation allocation, List<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            RollBack(allocation);
            allocation.Errors = errors;
        }
    }

    private void RollBack(ServiceAllocation allocation)
    {
        foreach (var offset in allocation.AllocatedIps)
        {
            RangeOf(offset).Release(Local(offset));
        }

        foreach (var port in allocation.AllocatedPorts)
        {
            if (PortOffset(port) is { } offset)
            {
                _ports.Release(offset);
            }
        }

        allocation.AllocatedIps.Clear();
        allocation.AllocatedPorts.Clear();
        allocation.ReleasedIps.Clear();
        allocation.ReleasedPorts.Clear();
    }

    private static bool IsKubernetesService(JsonObject service) =>
        ServiceFields.GetString(service["metadata"] as JsonObject, "name") == "kubernetes"
        && ServiceFields.GetString(service["metadata"] as JsonObject, "namespace") == "default";

    private static IEnumerable<int> NodePortsOf(JsonObject service) =>
        ServiceFields.Ports(service).Select(p => (int)(ServiceFields.GetInteger(p, "nodePort") ?? 0)).Where(p => p != 0);

    private static int HealthCheckOf(JsonObject service) =>
        (int)(ServiceFields.GetInteger(ServiceFields.Spec(service), "healthCheckNodePort") ?? 0);
}
