namespace Ferry.ApiServer.Selectors;

/// <summary>One clause of a field selector: <c>field=value</c>, <c>field==value</c> or <c>field!=value</c>. Immutable.</summary>
/// <param name="Field">The field path, e.g. <c>metadata.name</c> or <c>involvedObject.uid</c>.</param>
/// <param name="Operator"><see cref="SelectorOperator.Equals"/>, <see cref="SelectorOperator.DoubleEquals"/> or
/// <see cref="SelectorOperator.NotEquals"/>.</param>
/// <param name="Value">The unescaped value (<c>\,</c>, <c>\=</c> and <c>\\</c> already decoded).</param>
public sealed record FieldRequirement(string Field, SelectorOperator Operator, string Value)
{
    /// <summary>Evaluates the clause; a missing field reads as the empty string, as upstream's <c>fields.Set</c>.</summary>
    public bool Matches(string? actual)
    {
        var equal = string.Equals(actual ?? string.Empty, Value, StringComparison.Ordinal);
        return Operator == SelectorOperator.NotEquals ? !equal : equal;
    }

    public override string ToString() =>
        Field + (Operator switch
        {
            SelectorOperator.NotEquals => "!=",
            SelectorOperator.DoubleEquals => "==",
            _ => "=",
        }) + FieldSelector.EscapeValue(Value);
}
