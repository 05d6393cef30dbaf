using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;

namespace Ferry.ApiServer.Http;

/// <summary>
/// Decodes the Kubernetes protobuf envelope (<c>k8s\0</c> + runtime.Unknown) for the few kinds kubectl's typed
/// <c>create</c> commands send as protobuf (<c>create deployment</c>, <c>create namespace</c>, <c>create configmap</c>,
/// <c>create service</c>) and <c>kubectl auth can-i</c> sends (the self reviews) into the same JSON the JSON path would have received. Field numbers follow
/// kubernetes/api <c>generated.proto</c>; unknown fields are skipped.
/// </summary>
internal static class ProtobufBody
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static readonly Dictionary<string, Dictionary<int, Field>> _schemas = BuildSchemas();
    private static readonly Dictionary<string, string> _rootByKind = new(StringComparer.Ordinal)
    {
        ["Deployment"] = "Deployment",
        ["Namespace"] = "Namespace",
        ["ConfigMap"] = "ConfigMap",
        ["Service"] = "Service",
        ["SelfSubjectAccessReview"] = "SelfSubjectAccessReview",
        ["SelfSubjectRulesReview"] = "SelfSubjectRulesReview",
    };

    private enum Kind
    {
        String,
        Int,
        Bool,
        Bytes,
        Message,
        MapString,
        MapBytes,
        MapQuantity,
        Time,
        IntOrString,
        Quantity,
    }

    /// <summary>Decodes a protobuf request body; unsupported kinds get 415.</summary>
    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        if (body.Length < 4 || !body[..4].SequenceEqual("k8s\0"u8))
        {
            throw ApiErrors.BadRequest("protobuf body lacks the k8s envelope");
        }

        try
        {
            var envelope = Parse(body[4..].ToArray(), "Unknown");
            var kind = JsonReadString(envelope["typeMeta"]?["kind"]);
            var apiVersion = JsonReadString(envelope["typeMeta"]?["apiVersion"]);
            if (!_rootByKind.TryGetValue(kind, out var root))
            {
                throw new ApiException(415, "UnsupportedMediaType", "protobuf is not supported for kind " + kind + "; send application/json");
            }

            var raw = System.Convert.FromBase64String(JsonReadString(envelope["raw"]));
            var obj = Parse(raw, root);
            var result = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
            foreach (var (k, v) in obj)
            {
                result[k] = v?.DeepClone();
            }

            return result;
        }
        catch (Exception ex) when (ex is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            throw ApiErrors.BadRequest("malformed protobuf body: " + ex.Message);
        }
    }

    private static string JsonReadString(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty;

    private static JsonObject Parse(byte[] data, string message)
    {
        var schema = _schemas[message];
        var obj = new JsonObject();
        var pos = 0;
        while (pos < data.Length)
        {
            var tag = ReadVarint(data, ref pos);
            var number = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            byte[]? bytes = null;
            ulong value = 0;
            switch (wire)
            {
                case 0:
                    value = ReadVarint(data, ref pos);
                    break;
                case 1:
                    value = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(pos, 8));
                    pos += 8;
                    break;
                case 2:
                    var length = checked((int)ReadVarint(data, ref pos));
                    bytes = data.AsSpan(pos, length).ToArray();
                    pos += length;
                    break;
                case 5:
                    value = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(pos, 4));
                    pos += 4;
                    break;
                default:
                    throw new FormatException("unsupported wire type " + wire.ToString(CultureInfo.InvariantCulture));
            }

            if (!schema.TryGetValue(number, out var field))
            {
                continue;
            }

            var node = Convert(field, bytes, value);
            if (node is null && !field.KeepZero)
            {
                continue;
            }

            if (field.Kind is Kind.MapString or Kind.MapBytes or Kind.MapQuantity)
            {
                if (obj[field.Name] is not JsonObject map)
                {
                    map = [];
                    obj[field.Name] = map;
                }

                var entry = (JsonObject)node!;
                map[JsonReadString(entry["key"])] = entry["value"]?.DeepClone() ?? JsonValue.Create(string.Empty);
            }
            else if (field.Repeated)
            {
                if (obj[field.Name] is not JsonArray list)
                {
                    list = [];
                    obj[field.Name] = list;
                }

                list.Add(node ?? JsonValue.Create(string.Empty));
            }
            else
            {
                obj[field.Name] = node ?? (field.Kind == Kind.Bool ? JsonValue.Create(false) : JsonValue.Create(0));
            }
        }

        return obj;
    }

    private static JsonNode? Convert(Field field, byte[]? bytes, ulong value)
    {
        switch (field.Kind)
        {
            case Kind.String:
                var s = Encoding.UTF8.GetString(bytes ?? []);
                return s.Length == 0 && !field.Repeated ? null : JsonValue.Create(s);
            case Kind.Int:
                var l = unchecked((long)value);
                if (field.Signed32)
                {
                    l = unchecked((int)value);
                }

                return l == 0 ? null : JsonValue.Create(l);
            case Kind.Bool:
                return value == 0 ? null : JsonValue.Create(true);
            case Kind.Bytes:
                return JsonValue.Create(System.Convert.ToBase64String(bytes ?? []));
            case Kind.Message:
                return Parse(bytes ?? [], field.Message!);
            case Kind.MapString:
                return Parse(bytes ?? [], "MapString");
            case Kind.MapBytes:
                return Parse(bytes ?? [], "MapBytes");
            case Kind.MapQuantity:
                var q = Parse(bytes ?? [], "MapQuantity");
                q["value"] = q["value"]?["string"]?.DeepClone();
                return q;
            case Kind.Time:
                var t = Parse(bytes ?? [], "Time");
                var seconds = t["seconds"] is JsonValue sv ? sv.GetValue<long>() : 0;
                return seconds == 0 ? null : JsonValue.Create(DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            case Kind.IntOrString:
                var ios = Parse(bytes ?? [], "IntOrString");
                return ios["type"] is JsonValue tv && tv.GetValue<long>() == 1
                    ? JsonValue.Create(JsonReadString(ios["strVal"]))
                    : JsonValue.Create(ios["intVal"] is JsonValue iv ? iv.GetValue<long>() : 0);
            case Kind.Quantity:
                return Parse(bytes ?? [], "Quantity")["string"]?.DeepClone();
            default:
                return null;
        }
    }

    private static ulong ReadVarint(byte[] data, ref int pos)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new FormatException("varint too long");
    }

    private static Dictionary<string, Dictionary<int, Field>> BuildSchemas()
    {
        static Field S(string name, bool repeated = false) => new(name, Kind.String, null, repeated, false, false);
        static Field I(string name, bool keepZero = false, bool signed32 = true) => new(name, Kind.Int, null, false, keepZero, signed32);
        static Field I64(string name) => new(name, Kind.Int, null, false, false, false);
        static Field B(string name, bool keepZero = false) => new(name, Kind.Bool, null, false, keepZero, false);
        static Field M(string name, string message, bool repeated = false) => new(name, Kind.Message, message, repeated, false, false);
        static Field K(string name, Kind kind) => new(name, kind, null, false, false, false);

        return new Dictionary<string, Dictionary<int, Field>>(StringComparer.Ordinal)
        {
            ["Unknown"] = new() { [1] = M("typeMeta", "TypeMeta"), [2] = K("raw", Kind.Bytes), [3] = S("contentEncoding"), [4] = S("contentType") },
            ["TypeMeta"] = new() { [1] = S("apiVersion"), [2] = S("kind") },
            ["MapString"] = new() { [1] = S("key"), [2] = S("value") },
            ["MapBytes"] = new() { [1] = S("key"), [2] = K("value", Kind.Bytes) },
            ["MapQuantity"] = new() { [1] = S("key"), [2] = M("value", "Quantity") },
            ["Quantity"] = new() { [1] = S("string") },
            ["Time"] = new() { [1] = I64("seconds"), [2] = I("nanos") },
            ["IntOrString"] = new() { [1] = I64("type"), [2] = I("intVal"), [3] = S("strVal") },
            ["ObjectMeta"] = new()
            {
                [1] = S("name"), [2] = S("generateName"), [3] = S("namespace"), [5] = S("uid"), [6] = S("resourceVersion"),
                [7] = I64("generation"), [8] = K("creationTimestamp", Kind.Time), [11] = K("labels", Kind.MapString),
                [12] = K("annotations", Kind.MapString), [13] = M("ownerReferences", "OwnerReference", repeated: true),
                [14] = S("finalizers", repeated: true),
            },
            ["OwnerReference"] = new() { [1] = S("kind"), [3] = S("name"), [4] = S("uid"), [5] = S("apiVersion"), [6] = B("controller"), [7] = B("blockOwnerDeletion") },
            ["LabelSelector"] = new() { [1] = K("matchLabels", Kind.MapString), [2] = M("matchExpressions", "LabelSelectorRequirement", repeated: true) },
            ["LabelSelectorRequirement"] = new() { [1] = S("key"), [2] = S("operator"), [3] = S("values", repeated: true) },
            ["Deployment"] = new() { [1] = M("metadata", "ObjectMeta"), [2] = M("spec", "DeploymentSpec"), [3] = M("status", "Empty") },
            ["Empty"] = new(),
            ["DeploymentSpec"] = new()
            {
                [1] = I("replicas", keepZero: true), [2] = M("selector", "LabelSelector"), [3] = M("template", "PodTemplateSpec"),
                [4] = M("strategy", "DeploymentStrategy"), [5] = I("minReadySeconds"), [6] = I("revisionHistoryLimit", keepZero: true),
                [7] = B("paused"), [9] = I("progressDeadlineSeconds", keepZero: true),
            },
            ["DeploymentStrategy"] = new() { [1] = S("type"), [2] = M("rollingUpdate", "RollingUpdateDeployment") },
            ["RollingUpdateDeployment"] = new() { [1] = K("maxUnavailable", Kind.IntOrString), [2] = K("maxSurge", Kind.IntOrString) },
            ["PodTemplateSpec"] = new() { [1] = M("metadata", "ObjectMeta"), [2] = M("spec", "PodSpec") },
            ["PodSpec"] = new()
            {
                [2] = M("containers", "Container", repeated: true), [3] = S("restartPolicy"), [4] = I64("terminationGracePeriodSeconds"),
                [6] = S("dnsPolicy"), [7] = K("nodeSelector", Kind.MapString), [8] = S("serviceAccountName"), [10] = S("nodeName"),
                [11] = B("hostNetwork"), [19] = S("schedulerName"), [20] = M("initContainers", "Container", repeated: true),
            },
            ["Container"] = new()
            {
                [1] = S("name"), [2] = S("image"), [3] = S("command", repeated: true), [4] = S("args", repeated: true),
                [5] = S("workingDir"), [6] = M("ports", "ContainerPort", repeated: true), [7] = M("env", "EnvVar", repeated: true),
                [8] = M("resources", "ResourceRequirements"), [13] = S("terminationMessagePath"), [14] = S("imagePullPolicy"),
                [20] = S("terminationMessagePolicy"),
            },
            ["ContainerPort"] = new() { [1] = S("name"), [2] = I("hostPort"), [3] = I("containerPort"), [4] = S("protocol"), [5] = S("hostIP") },
            ["EnvVar"] = new() { [1] = S("name"), [2] = S("value") },
            ["ResourceRequirements"] = new() { [1] = K("limits", Kind.MapQuantity), [2] = K("requests", Kind.MapQuantity) },
            ["Namespace"] = new() { [1] = M("metadata", "ObjectMeta"), [2] = M("spec", "NamespaceSpec"), [3] = M("status", "Empty") },
            ["NamespaceSpec"] = new() { [1] = S("finalizers", repeated: true) },
            ["ConfigMap"] = new() { [1] = M("metadata", "ObjectMeta"), [2] = K("data", Kind.MapString), [3] = K("binaryData", Kind.MapBytes), [4] = B("immutable", keepZero: true) },
            ["SelfSubjectAccessReview"] = new() { [1] = M("metadata", "ObjectMeta"), [2] = M("spec", "SelfSubjectAccessReviewSpec"), [3] = M("status", "Empty") },
            ["SelfSubjectAccessReviewSpec"] = new() { [1] = M("resourceAttributes", "ResourceAttributes"), [2] = M("nonResourceAttributes", "NonResourceAttributes") },
            ["ResourceAttributes"] = new() { [1] = S("namespace"), [2] = S("verb"), [3] = S("group"), [4] = S("version"), [5] = S("resource"), [6] = S("subresource"), [7] = S("name") },
            ["NonResourceAttributes"] = new() { [1] = S("path"), [2] = S("verb") },
            ["SelfSubjectRulesReview"] = new() { [1] = M("metadata", "ObjectMeta"), [2] = M("spec", "SelfSubjectRulesReviewSpec"), [3] = M("status", "Empty") },
            ["SelfSubjectRulesReviewSpec"] = new() { [1] = S("namespace") },
            ["Service"] = new() { [1] = M("metadata", "ObjectMeta"), [2] = M("spec", "ServiceSpec"), [3] = M("status", "Empty") },
            ["ServiceSpec"] = new()
            {
                [1] = M("ports", "ServicePort", repeated: true), [2] = K("selector", Kind.MapString), [3] = S("clusterIP"), [4] = S("type"),
                [5] = S("externalIPs", repeated: true), [7] = S("sessionAffinity"), [8] = S("loadBalancerIP"),
                [9] = S("loadBalancerSourceRanges", repeated: true), [10] = S("externalName"), [11] = S("externalTrafficPolicy"),
                [12] = I("healthCheckNodePort"), [18] = S("clusterIPs", repeated: true), [19] = S("ipFamilies", repeated: true),
                [17] = S("ipFamilyPolicy"), [20] = B("allocateLoadBalancerNodePorts", keepZero: true), [21] = S("loadBalancerClass"),
                [22] = S("internalTrafficPolicy"),
            },
            ["ServicePort"] = new() { [1] = S("name"), [2] = S("protocol"), [3] = I("port"), [4] = K("targetPort", Kind.IntOrString), [5] = I("nodePort"), [6] = S("appProtocol") },
        };
    }

    private sealed record Field(string Name, Kind Kind, string? Message, bool Repeated, bool KeepZero, bool Signed32);
}
