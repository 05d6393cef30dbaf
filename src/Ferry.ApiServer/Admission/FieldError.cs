namespace Ferry.ApiServer.Admission;

/// <summary>
/// One validation failure, shaped like apimachinery's <c>field.Error</c>. Immutable, so thread-safe.
/// </summary>
/// <param name="Type">One of <see cref="FieldErrorType"/>.</param>
/// <param name="Field">The JSON path, e.g. <c>spec.ports[0].port</c>.</param>
/// <param name="Value">The offending value already formatted as kube-apiserver prints it (<c>0</c>,
/// <c>"abc"</c>, <c>["a"]</c>, <c>null</c>), or null for types that print no value (Required, Forbidden).</param>
/// <param name="Message">The detail text (may be empty).</param>
public sealed record FieldError(string Type, string Field, string? Value, string Message)
{
    /// <summary>The text without the field path (upstream <c>ErrorBody()</c>, used for <c>causes[].message</c>).</summary>
    public string Body
    {
        get
        {
            var head = Type switch
            {
                FieldErrorType.Required => "Required value",
                FieldErrorType.Forbidden => "Forbidden",
                FieldErrorType.InternalError => "Internal error",
                FieldErrorType.TooLong => "Too long",
                FieldErrorType.Invalid or FieldErrorType.TypeInvalid => "Invalid value: " + (Value ?? "null"),
                FieldErrorType.TooMany => Value is null ? "Too many" : "Too many: " + Value,
                FieldErrorType.NotSupported => "Unsupported value: " + (Value ?? "null"),
                FieldErrorType.Duplicate => "Duplicate value: " + (Value ?? "null"),
                _ => Type,
            };
            return Message.Length == 0 ? head : head + ": " + Message;
        }
    }

    /// <summary>The full text, <c>&lt;Field&gt;: &lt;Body&gt;</c>, as kube-apiserver prints it.</summary>
    public override string ToString() => Field.Length == 0 ? Body : Field + ": " + Body;
}
