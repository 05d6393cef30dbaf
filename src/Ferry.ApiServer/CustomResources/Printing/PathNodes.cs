namespace Ferry.ApiServer.CustomResources.Printing;

/// <summary>A node of a parsed column path, as client-go's <c>util/jsonpath/node.go</c> defines them.</summary>
internal abstract record PathNode;

/// <summary>A sequence of nodes, each applied to the results of the one before.</summary>
internal sealed record ListNode(List<PathNode> Nodes) : PathNode;

/// <summary>Literal text: outside an action, or a quoted string inside one.</summary>
internal sealed record TextNode(string Text) : PathNode;

/// <summary><c>.name</c>: a key of each map.</summary>
internal sealed record FieldNode(string Name) : PathNode;

/// <summary>A bare word other than true/false (upstream knows <c>range</c> and <c>end</c>).</summary>
internal sealed record IdentifierNode(string Name) : PathNode;

/// <summary>An integer literal (Go <c>int</c>).</summary>
internal sealed record IntNode(long Value) : PathNode;

/// <summary>A floating-point literal.</summary>
internal sealed record FloatNode(double Value) : PathNode;

/// <summary><c>true</c> or <c>false</c>.</summary>
internal sealed record BoolNode(bool Value) : PathNode;

/// <summary><c>.*</c>: every value of a map or array.</summary>
internal sealed record WildcardNode : PathNode;

/// <summary><c>..</c>: every value below, depth first.</summary>
internal sealed record RecursiveNode : PathNode;

/// <summary><c>[a,b]</c>: the results of each alternative, in order.</summary>
internal sealed record UnionNode(List<ListNode> Alternatives) : PathNode;

/// <summary><c>[start:end:step]</c>, also <c>[i]</c> and <c>[*]</c>.</summary>
internal sealed record ArrayNode(SliceBound Start, SliceBound End, SliceBound Step) : PathNode;

/// <summary><c>[?(left op right)]</c>, or <c>[?(left)]</c> with operator <c>exists</c>.</summary>
internal sealed record FilterNode(ListNode Left, ListNode Right, string Operator) : PathNode;

/// <summary>One bound of a slice; <c>Derived</c> marks the end of <c>[i]</c>, computed as i+1.</summary>
internal readonly record struct SliceBound(long Value, bool Known, bool Derived);
