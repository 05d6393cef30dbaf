namespace Ferry.ApiServer.Errors;

/// <summary>One field-level validation failure, rendered like apimachinery's <c>field.Error</c>.</summary>
/// <param name="Type">The cause reason, e.g. <c>FieldValueRequired</c>.</param>
/// <param name="Field">The field path, e.g. <c>spec.ports[0].port</c>.</param>
/// <param name="Detail">The full message after the field path, e.g. <c>Required value</c>.</param>
internal sealed record FieldError(string Type, string Field, string Detail)
{
    /// <summary>The text apimachinery prints: <c>field: detail</c>.</summary>
    public override string ToString() => Field.Length == 0 ? Detail : Field + ": " + Detail;
}
