using System.Reflection;
using System.Reflection.Emit;

namespace Ferry.DataPlane.Tests.Architecture;

/// <summary>
/// Which namespaces of an assembly use which others, read from the compiled code: base types and
/// interfaces, field, property and method signatures, locals, and every type, method and field an IL
/// instruction names. Compiler-generated types (async state machines, closures, logging structs) count
/// for the namespace of the type they are nested in.
/// </summary>
internal sealed class NamespaceGraph
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    private static readonly Dictionary<short, OpCode> _opCodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private readonly Dictionary<string, Dictionary<string, string>> _edges = [];

    /// <summary>An empty graph; add edges with <see cref="Add"/>.</summary>
    public NamespaceGraph()
    {
    }

    /// <summary>Every namespace under <paramref name="rootNamespace"/> in <paramref name="assembly"/> and what it uses.</summary>
    public static NamespaceGraph Of(Assembly assembly, string rootNamespace)
    {
        var graph = new NamespaceGraph();
        foreach (var type in assembly.GetTypes())
        {
            if (!IsUnder(type, rootNamespace))
            {
                continue;
            }

            foreach (var used in UsedTypes(type))
            {
                if (used.Assembly == assembly && IsUnder(used, rootNamespace) && used.Namespace != type.Namespace)
                {
                    graph.Add(type.Namespace!, used.Namespace!, $"{type.FullName} uses {used.FullName}");
                }
            }
        }

        return graph;
    }

    /// <summary>The namespaces <paramref name="from"/> uses.</summary>
    public IEnumerable<string> Uses(string from) => _edges.TryGetValue(from, out var to) ? to.Keys : [];

    /// <summary>Records that <paramref name="from"/> uses <paramref name="to"/>; <paramref name="example"/> says where (the first one is kept).</summary>
    public void Add(string from, string to, string example)
    {
        if (!_edges.TryGetValue(from, out var targets))
        {
            _edges[from] = targets = [];
        }

        targets.TryAdd(to, example);
        _edges.TryAdd(to, []);
    }

    /// <summary>A cycle as its edges with one example each (<c>A → B: X uses Y</c>), or empty when the graph is acyclic.</summary>
    public IReadOnlyList<string> FindCycle()
    {
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        foreach (var start in _edges.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(start, state, path) is { } cycle)
            {
                return cycle;
            }
        }

        return [];
    }

    /// <summary>Depth-first search; 1 = on the current path, 2 = done. Returns the cycle closed by a back edge.</summary>
    private List<string>? Visit(string node, Dictionary<string, int> state, List<string> path)
    {
        if (state.TryGetValue(node, out var mark))
        {
            if (mark == 2)
            {
                return null;
            }

            var start = path.IndexOf(node);
            var cycle = path[start..].Append(node).ToList();
            return [.. cycle.Zip(cycle.Skip(1), (a, b) => $"{a} → {b}: {_edges[a][b]}")];
        }

        state[node] = 1;
        path.Add(node);
        foreach (var next in _edges[node].Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(next, state, path) is { } cycle)
            {
                return cycle;
            }
        }

        path.RemoveAt(path.Count - 1);
        state[node] = 2;
        return null;
    }

    private static bool IsUnder(Type type, string rootNamespace) =>
        type.Namespace is { } ns && (ns == rootNamespace || ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal));

    private static HashSet<Type> UsedTypes(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || t.IsGenericParameter || !found.Add(t))
            {
                return;
            }

            if (t.HasElementType)
            {
                Add(t.GetElementType());
            }

            if (t.IsConstructedGenericType)
            {
                Add(t.GetGenericTypeDefinition());
                foreach (var argument in t.GenericTypeArguments)
                {
                    Add(argument);
                }
            }
        }

        void AddMember(MemberInfo? member)
        {
            switch (member)
            {
                case Type t:
                    Add(t);
                    break;
                case FieldInfo f:
                    Add(f.DeclaringType);
                    Add(f.FieldType);
                    break;
                case MethodBase m:
                    Add(m.DeclaringType);
                    AddSignature(m);
                    break;
            }
        }

        void AddSignature(MethodBase method)
        {
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
            }

            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }

            if (method.IsGenericMethod)
            {
                foreach (var argument in method.GetGenericArguments())
                {
                    Add(argument);
                }
            }
        }

        Add(type.BaseType);
        foreach (var implemented in type.GetInterfaces())
        {
            Add(implemented);
        }

        foreach (var field in type.GetFields(Declared))
        {
            Add(field.FieldType);
        }

        foreach (var property in type.GetProperties(Declared))
        {
            Add(property.PropertyType);
        }

        foreach (var e in type.GetEvents(Declared))
        {
            Add(e.EventHandlerType);
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            AddSignature(method);
            var body = method.GetMethodBody();
            if (body is null)
            {
                continue;
            }

            foreach (var local in body.LocalVariables)
            {
                Add(local.LocalType);
            }

            foreach (var token in MemberTokens(body.GetILAsByteArray() ?? []))
            {
                try
                {
                    AddMember(type.Module.ResolveMember(
                        token,
                        type.IsGenericType ? type.GetGenericArguments() : null,
                        method.IsGenericMethod ? method.GetGenericArguments() : null));
                }
                catch (ArgumentException)
                {
                    // A token of another kind (a signature, a string): names no member.
                }
            }
        }

        return found;
    }

    /// <summary>The metadata tokens of the type, method and field operands of an IL stream.</summary>
    private static IEnumerable<int> MemberTokens(byte[] il)
    {
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[i++]);
            }

            var opCode = _opCodes[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                    yield return BitConverter.ToInt32(il, i);
                    i += 4;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
