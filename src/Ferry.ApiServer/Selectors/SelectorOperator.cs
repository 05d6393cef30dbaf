namespace Ferry.ApiServer.Selectors;

/// <summary>The operator of one selector requirement (apimachinery <c>selection.Operator</c>).</summary>
public enum SelectorOperator
{
    /// <summary><c>key=value</c>.</summary>
    Equals,

    /// <summary><c>key==value</c>, same meaning as <see cref="Equals"/>.</summary>
    DoubleEquals,

    /// <summary><c>key!=value</c>: matches when the key is absent too.</summary>
    NotEquals,

    /// <summary><c>key in (a,b)</c>.</summary>
    In,

    /// <summary><c>key notin (a,b)</c>: matches when the key is absent too.</summary>
    NotIn,

    /// <summary><c>key</c>.</summary>
    Exists,

    /// <summary><c>!key</c>.</summary>
    DoesNotExist,

    /// <summary><c>key&gt;n</c> (integer comparison; label selectors only).</summary>
    GreaterThan,

    /// <summary><c>key&lt;n</c> (integer comparison; label selectors only).</summary>
    LessThan,
}
