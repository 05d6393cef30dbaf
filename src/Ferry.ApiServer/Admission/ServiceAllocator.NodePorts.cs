using System.Globalization;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Admission;

// Node-port and health-check-port allocation of ServiceAllocator (split by concern).
public sealed partial class ServiceAllocator
{
    private void InitNodePorts(JsonObject service, ServiceAllocation allocation, List<FieldError> errors)
    {
        var ports = ServiceFields.Ports(service).ToList();
        var byServicePort = new Dictionary<long, int>();
        var allocate = ServiceFields.ShouldAllocateNodePorts(service);
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var nodePort = (int)(ServiceFields.GetInteger(port, "nodePort") ?? 0);
            if (nodePort == 0 && !allocate)
            {
                continue;
            }

            var servicePort = ServiceFields.GetInteger(port, "port") ?? 0;
            if (!byServicePort.TryGetValue(servicePort, out var assigned))
            {
                var requested = ports.Skip(i).Where(p => (ServiceFields.GetInteger(p, "port") ?? 0) == servicePort)
                    .Select(p => (int)(ServiceFields.GetInteger(p, "nodePort") ?? 0)).FirstOrDefault(p => p != 0);
                if (requested != 0)
                {
                    if (!Reserve(requested, allocation, $"spec.ports[{Index(i)}].nodePort", errors))
                    {
                        return;
                    }

                    port["nodePort"] = requested;
                    byServicePort[servicePort] = requested;
                }
                else
                {
                    if (Next(allocation) is not { } next)
                    {
                        errors.Add(FieldErrors.Internal("failed to allocate a nodePort: range is full"));
                        return;
                    }

                    port["nodePort"] = next;
                    byServicePort[servicePort] = next;
                }
            }
            else if (nodePort != assigned)
            {
                if (nodePort == 0)
                {
                    port["nodePort"] = assigned;
                }
                else if (!Reserve(nodePort, allocation, $"spec.ports[{Index(i)}].nodePort", errors))
                {
                    return;
                }
            }
        }
    }

    private void UpdateNodePorts(JsonObject old, JsonObject updated, ServiceAllocation allocation, List<FieldError> errors)
    {
        var oldNumbers = NodePortsOf(old).ToHashSet();
        var allocate = ServiceFields.ShouldAllocateNodePorts(updated);
        var seen = new HashSet<(string, int)>();
        var ports = ServiceFields.Ports(updated).ToList();
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var nodePort = (int)(ServiceFields.GetInteger(port, "nodePort") ?? 0);
            if (nodePort == 0 && !allocate)
            {
                continue;
            }

            if (nodePort != 0)
            {
                if (!oldNumbers.Contains(nodePort) && !allocation.AllocatedPorts.Contains(nodePort)
                    && !Reserve(nodePort, allocation, $"spec.ports[{Index(i)}].nodePort", errors))
                {
                    return;
                }
            }
            else
            {
                if (Next(allocation) is not { } next)
                {
                    errors.Add(FieldErrors.Internal("failed to allocate a nodePort: range is full"));
                    return;
                }

                nodePort = next;
                port["nodePort"] = next;
            }

            if (!seen.Add((ServiceFields.GetString(port, "protocol") ?? string.Empty, nodePort)))
            {
                errors.Add(FieldErrors.Duplicate($"spec.ports[{Index(i)}].nodePort", nodePort));
                return;
            }
        }

        var newNumbers = NodePortsOf(updated).ToHashSet();
        allocation.ReleasedPorts.AddRange(oldNumbers.Where(p => p != 0 && !newNumbers.Contains(p)));
    }

    private void AllocateHealthCheck(JsonObject service, ServiceAllocation allocation, List<FieldError> errors)
    {
        var spec = ServiceFields.EnsureSpec(service);
        var requested = (int)(ServiceFields.GetInteger(spec, "healthCheckNodePort") ?? 0);
        if (requested != 0)
        {
            var problem = TryReserve(requested, allocation);
            if (problem is not null)
            {
                errors.Add(FieldErrors.Internal($"failed to allocate requested HealthCheck NodePort {requested.ToString(CultureInfo.InvariantCulture)}: {problem}"));
            }

            return;
        }

        if (Next(allocation) is not { } next)
        {
            errors.Add(FieldErrors.Internal("failed to allocate a HealthCheck NodePort 0: range is full"));
            return;
        }

        spec["healthCheckNodePort"] = next;
    }

    private bool Reserve(int port, ServiceAllocation allocation, string field, List<FieldError> errors)
    {
        var problem = TryReserve(port, allocation);
        if (problem is null)
        {
            return true;
        }

        errors.Add(FieldErrors.Invalid(field, port, problem));
        return false;
    }

    private string? TryReserve(int port, ServiceAllocation allocation)
    {
        if (PortOffset(port) is not { } offset)
        {
            return $"provided port is not in the valid range. The range of valid ports is {NodePortRange}";
        }

        if (!_ports.TryAllocate(offset))
        {
            return "provided port is already allocated";
        }

        allocation.AllocatedPorts.Add(port);
        return null;
    }

    private int? Next(ServiceAllocation allocation)
    {
        if (_ports.AllocateNext() is not { } offset)
        {
            return null;
        }

        var port = (int)(offset + Options.NodePortMin);
        allocation.AllocatedPorts.Add(port);
        return port;
    }
}
