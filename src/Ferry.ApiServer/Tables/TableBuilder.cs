using System.Globalization;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.Tables;

/// <summary>
/// Server-side printing for <c>kubectl get</c> (meta.k8s.io/v1 Table), with the cells kube-apiserver's
/// <c>pkg/printers/internalversion/printers.go</c> renders (always wide; kubectl hides priority-1 columns).
/// </summary>
internal static class TableBuilder
{
    /// <summary>ObjectMeta's swagger doc of <c>name</c>: the Name column's description.</summary>
    internal const string NameDescription = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
    /// <summary>ObjectMeta's swagger doc of <c>creationTimestamp</c>: the Age column's description.</summary>
    internal const string AgeDescription = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    /// <summary>Builds a Table of <paramref name="objects"/>; <paramref name="includeObject"/> is None, Metadata (default) or Object.</summary>
    public static JsonObject Build(ResourceType type, IEnumerable<JsonObject> objects, string? resourceVersion, DateTimeOffset now, string includeObject, bool withHeaders)
    {
        if (type.Custom is { } custom)
        {
            return CustomResources.Printing.CustomResourceTable.Build(custom.PrinterColumns, objects, resourceVersion, now, includeObject, withHeaders);
        }

        var rows = new JsonArray();
        foreach (var o in objects)
        {
            rows.Add(Row(type, o, now, includeObject));
        }

        var meta = new JsonObject();
        if (resourceVersion is not null)
        {
            meta["resourceVersion"] = resourceVersion;
        }

        var table = new JsonObject { ["kind"] = "Table", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = meta };
        if (withHeaders)
        {
            table["columnDefinitions"] = Columns(type);
        }

        table["rows"] = rows;
        return table;
    }

    private static JsonArray Columns(ResourceType type)
    {
        var columns = new JsonArray { Column("Name", "name", NameDescription, 0) };
        switch (type.Table)
        {
            case TableLayout.Service:
                columns.Add(Column("Type", string.Empty, "type determines how the Service is exposed.", 0));
                columns.Add(Column("Cluster-IP", string.Empty, "clusterIP is the IP address of the service and is usually assigned randomly.", 0));
                columns.Add(Column("External-IP", string.Empty, "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.", 0));
                columns.Add(Column("Port(s)", string.Empty, "The list of ports that are exposed by this service.", 0));
                columns.Add(Column("Age", string.Empty, AgeDescription, 0));
                columns.Add(Column("Selector", string.Empty, "Route service traffic to pods with label keys and values matching this selector.", 1));
                break;
            case TableLayout.Event:
                columns.Clear();
                columns.Add(Column("Last Seen", string.Empty, "The last time this event was observed.", 0));
                columns.Add(Column("Type", string.Empty, "Type of this event (Normal, Warning), new types could be added in the future.", 0));
                columns.Add(Column("Reason", string.Empty, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", 0));
                columns.Add(Column("Object", string.Empty, "The object that this event is about.", 0));
                columns.Add(Column("Subobject", string.Empty, "The subobject this event is about.", 1));
                columns.Add(Column("Source", string.Empty, "The component reporting this event.", 1));
                columns.Add(Column("Message", string.Empty, "A human-readable description of the status of this operation.", 0));
                columns.Add(Column("First Seen", string.Empty, "The time at which the event was first recorded.", 1));
                columns.Add(Column("Count", string.Empty, "The number of times this event has occurred.", 1));
                columns.Add(Column("Name", "name", NameDescription, 1));
                break;
            case TableLayout.Namespace:
                columns.Add(Column("Status", string.Empty, "The status of the namespace", 0));
                columns.Add(Column("Age", string.Empty, AgeDescription, 0));
                break;
            case TableLayout.Node:
                columns.Add(Column("Status", string.Empty, "The status of the node", 0));
                columns.Add(Column("Roles", string.Empty, "The roles of the node", 0));
                columns.Add(Column("Age", string.Empty, AgeDescription, 0));
                columns.Add(Column("Version", string.Empty, "Kubelet Version reported by the node.", 0));
                columns.Add(Column("Internal-IP", string.Empty, "List of addresses reachable to the node. Queried from cloud provider, if available.", 1));
                columns.Add(Column("External-IP", string.Empty, "List of addresses reachable to the node. Queried from cloud provider, if available.", 1));
                columns.Add(Column("OS-Image", string.Empty, "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1));
                columns.Add(Column("Kernel-Version", string.Empty, "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1));
                columns.Add(Column("Container-Runtime", string.Empty, "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1));
                break;
            case TableLayout.Deployment:
                columns.Add(Column("Ready", string.Empty, "Number of the pod with ready state", 0));
                columns.Add(IntColumn("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec.", 0));
                columns.Add(IntColumn("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.", 0));
                columns.Add(Column("Age", string.Empty, AgeDescription, 0));
                columns.Add(Column("Containers", string.Empty, "Names of each container in the template.", 1));
                columns.Add(Column("Images", string.Empty, "Images referenced by each container in the template.", 1));
                columns.Add(Column("Selector", string.Empty, "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1));
                break;
            case TableLayout.EndpointSlice:
                columns.Add(Column("AddressType", string.Empty, "addressType specifies the type of address carried by this EndpointSlice.", 0));
                columns.Add(Column("Ports", string.Empty, "ports specifies the list of network ports exposed by each endpoint in this slice.", 0));
                columns.Add(Column("Endpoints", string.Empty, "endpoints is a list of unique endpoints in this slice.", 0));
                columns.Add(Column("Age", string.Empty, AgeDescription, 0));
                break;
            case TableLayout.NameCreatedAt:
                var createdAt = Column("Created At", string.Empty, AgeDescription, 0);
                createdAt["type"] = "date";
                columns.Add(createdAt);
                break;
            default:
                columns.Add(Column("Age", string.Empty, AgeDescription, 0));
                break;
        }

        return columns;
    }

    private static JsonObject IntColumn(string name, string description, int priority)
    {
        var column = Column(name, string.Empty, description, priority);
        column["type"] = "integer";
        return column;
    }

    private static JsonObject Column(string name, string format, string description, int priority) => new()
    {
        ["name"] = name,
        ["type"] = "string",
        ["format"] = format,
        ["description"] = description,
        ["priority"] = priority,
    };

    private static JsonObject Row(ResourceType type, JsonObject o, DateTimeOffset now, string includeObject)
    {
        var name = Str(o["metadata"]?["name"]);
        var age = Age(Str(o["metadata"]?["creationTimestamp"]), now);
        var cells = type.Table switch
        {
            TableLayout.Service => ServiceCells(o, name, age),
            TableLayout.Event => EventCells(o, name, now),
            TableLayout.Namespace => new JsonArray(name, Str(o["status"]?["phase"]), age),
            TableLayout.Node => NodeCells(o, name, age),
            TableLayout.Deployment => DeploymentCells(o, name, age),
            TableLayout.EndpointSlice => EndpointSliceCells(o, name, age),
            TableLayout.NameCreatedAt => new JsonArray(name, Str(o["metadata"]?["creationTimestamp"])),
            _ => new JsonArray(name, age),
        };
        var row = new JsonObject { ["cells"] = cells };
        AttachObject(row, o, includeObject);
        return row;
    }

    /// <summary>Sets a row's <c>object</c> as <paramref name="includeObject"/> asks: the object, its PartialObjectMetadata (default), or none.</summary>
    internal static void AttachObject(JsonObject row, JsonObject o, string includeObject)
    {
        if (string.Equals(includeObject, "Object", StringComparison.OrdinalIgnoreCase))
        {
            row["object"] = o.DeepClone();
        }
        else if (!string.Equals(includeObject, "None", StringComparison.OrdinalIgnoreCase))
        {
            row["object"] = new JsonObject
            {
                ["kind"] = "PartialObjectMetadata",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = o["metadata"]?.DeepClone(),
            };
        }
    }

    private static JsonArray ServiceCells(JsonObject svc, string name, string age)
    {
        var spec = svc["spec"] as JsonObject ?? [];
        var type = Str(spec["type"]);
        if (type.Length == 0)
        {
            type = "ClusterIP";
        }

        var clusterIp = spec["clusterIPs"] is JsonArray { Count: > 0 } ips ? Str(ips[0]) : "<none>";
        var externalIps = Strings(spec["externalIPs"]);
        string external;
        switch (type)
        {
            case "ClusterIP":
            case "NodePort":
                external = externalIps.Count > 0 ? string.Join(",", externalIps) : "<none>";
                break;
            case "LoadBalancer":
                var ingress = new SortedSet<string>(StringComparer.Ordinal);
                if (svc["status"]?["loadBalancer"]?["ingress"] is JsonArray entries)
                {
                    foreach (var e in entries)
                    {
                        var ip = Str(e?["ip"]);
                        var host = Str(e?["hostname"]);
                        if (ip.Length > 0)
                        {
                            ingress.Add(ip);
                        }
                        else if (host.Length > 0)
                        {
                            ingress.Add(host);
                        }
                    }
                }

                var lbIps = string.Join(",", ingress);
                if (externalIps.Count > 0)
                {
                    var results = new List<string>();
                    if (lbIps.Length > 0)
                    {
                        results.AddRange(lbIps.Split(','));
                    }

                    results.AddRange(externalIps);
                    external = string.Join(",", results);
                }
                else
                {
                    external = lbIps.Length > 0 ? lbIps : "<pending>";
                }

                break;
            case "ExternalName":
                external = Str(spec["externalName"]);
                break;
            default:
                external = "<unknown>";
                break;
        }

        var ports = new List<string>();
        if (spec["ports"] is JsonArray portList)
        {
            foreach (var p in portList)
            {
                var port = Long(p?["port"]);
                var nodePort = Long(p?["nodePort"]);
                var protocol = Str(p?["protocol"]);
                ports.Add(nodePort > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{port}:{nodePort}/{protocol}")
                    : string.Create(CultureInfo.InvariantCulture, $"{port}/{protocol}"));
            }
        }

        var selector = spec["selector"] is JsonObject sel && sel.Count > 0
            ? string.Join(",", sel.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + Str(kv.Value)))
            : "<none>";
        return new JsonArray(name, type, clusterIp, external, ports.Count > 0 ? string.Join(",", ports) : "<none>", age, selector);
    }

    private static JsonArray NodeCells(JsonObject node, string name, string age)
    {
        var status = "Unknown";
        if (node["status"]?["conditions"] is JsonArray conditions)
        {
            foreach (var c in conditions)
            {
                if (Str(c?["type"]) == "Ready")
                {
                    status = Str(c?["status"]) == "True" ? "Ready" : "NotReady";
                }
            }
        }

        if (node["spec"]?["unschedulable"] is JsonValue u && u.GetValueKind() == System.Text.Json.JsonValueKind.True)
        {
            status += ",SchedulingDisabled";
        }

        var roles = new SortedSet<string>(StringComparer.Ordinal);
        if (node["metadata"]?["labels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                if (key.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal) && key.Length > "node-role.kubernetes.io/".Length)
                {
                    roles.Add(key["node-role.kubernetes.io/".Length..]);
                }
                else if (key == "kubernetes.io/role" && Str(value).Length > 0)
                {
                    roles.Add(Str(value));
                }
            }
        }

        string Address(string type)
        {
            if (node["status"]?["addresses"] is JsonArray addresses)
            {
                foreach (var a in addresses)
                {
                    if (Str(a?["type"]) == type)
                    {
                        return Str(a?["address"]);
                    }
                }
            }

            return "<none>";
        }

        string Info(string field) => Str(node["status"]?["nodeInfo"]?[field]) is { Length: > 0 } v ? v : "<unknown>";
        return new JsonArray(name, status, roles.Count > 0 ? string.Join(",", roles) : "<none>", age, Str(node["status"]?["nodeInfo"]?["kubeletVersion"]),
            Address("InternalIP"), Address("ExternalIP"), Info("osImage"), Info("kernelVersion"), Info("containerRuntimeVersion"));
    }

    private static JsonArray DeploymentCells(JsonObject d, string name, string age)
    {
        var desired = d["spec"]?["replicas"] is null ? 1 : Long(d["spec"]?["replicas"]);
        var status = d["status"];
        var containers = d["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? [];
        var selector = d["spec"]?["selector"]?["matchLabels"] is JsonObject ml && ml.Count > 0
            ? string.Join(",", ml.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + Str(kv.Value)))
            : "<none>";
        return new JsonArray(
            name,
            string.Create(CultureInfo.InvariantCulture, $"{Long(status?["readyReplicas"])}/{desired}"),
            Long(status?["updatedReplicas"]),
            Long(status?["availableReplicas"]),
            age,
            string.Join(",", containers.Select(c => Str(c?["name"]))),
            string.Join(",", containers.Select(c => Str(c?["image"]))),
            selector);
    }

    private static JsonArray EndpointSliceCells(JsonObject slice, string name, string age)
    {
        var ports = new List<string>();
        var portCount = 0;
        foreach (var p in slice["ports"] as JsonArray ?? [])
        {
            portCount++;
            if (ports.Count < 3)
            {
                ports.Add(p?["port"] is JsonValue ? Long(p["port"]).ToString(CultureInfo.InvariantCulture) : Str(p?["name"]) is { Length: > 0 } pn ? pn : "*");
            }
        }

        var addresses = new List<string>();
        var addressCount = 0;
        foreach (var e in slice["endpoints"] as JsonArray ?? [])
        {
            foreach (var a in e?["addresses"] as JsonArray ?? [])
            {
                addressCount++;
                if (addresses.Count < 3)
                {
                    addresses.Add(Str(a));
                }
            }
        }

        return new JsonArray(name, Str(slice["addressType"]), ListWithMore(ports, portCount), ListWithMore(addresses, addressCount), age);
    }

    /// <summary>Upstream <c>listWithMoreString</c>: at most three entries, then <c> + N more...</c>; <c>&lt;unset&gt;</c> when empty.</summary>
    private static string ListWithMore(List<string> shown, int count)
    {
        var text = string.Join(",", shown);
        if (count > shown.Count)
        {
            return text + " + " + (count - shown.Count).ToString(CultureInfo.InvariantCulture) + " more...";
        }

        return text.Length == 0 ? "<unset>" : text;
    }

    private static JsonArray EventCells(JsonObject ev, string name, DateTimeOffset now)
    {
        var first = Str(ev["firstTimestamp"]);
        var firstSeen = first.Length > 0 ? Age(first, now) : Age(Str(ev["eventTime"]), now);
        var last = Str(ev["lastTimestamp"]);
        var lastSeen = last.Length > 0 ? Age(last, now) : firstSeen;
        var count = Long(ev["count"]);
        if (ev["series"] is JsonObject series)
        {
            lastSeen = Age(Str(series["lastObservedTime"]), now);
            count = Long(series["count"]);
        }
        else if (count == 0)
        {
            count = 1;
        }

        var involved = ev["involvedObject"] as JsonObject ?? [];
        var kind = Str(involved["kind"]).ToLowerInvariant();
        var involvedName = Str(involved["name"]);
        var target = involvedName.Length > 0 ? kind + "/" + involvedName : kind;
        var component = Str(ev["source"]?["component"]);
        var host = Str(ev["source"]?["host"]);
        component = component.Length > 0 ? component : Str(ev["reportingComponent"]);
        host = host.Length > 0 ? host : Str(ev["reportingInstance"]);
        var source = host.Length == 0 ? component : component + ", " + host;
        return new JsonArray(lastSeen, Str(ev["type"]), Str(ev["reason"]), target, Str(involved["fieldPath"]), source,
            Str(ev["message"]).Trim(), firstSeen, count, name);
    }

    private static string Age(string timestamp, DateTimeOffset now) =>
        DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? HumanDuration.Format(now - t)
            : "<unknown>";

    private static string Str(JsonNode? node) => JsonRead.Str(node);

    private static long Long(JsonNode? node) => JsonRead.Long(node);

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray a ? [.. a.Select(Str).Where(s => s.Length > 0)] : [];
}
