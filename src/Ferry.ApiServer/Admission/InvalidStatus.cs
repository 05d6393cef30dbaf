using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Admission;

/// <summary>
/// Builds kube-apiserver's <c>422 Invalid</c> answer (apimachinery <c>errors.NewInvalid</c>) from field errors.
/// Pure and thread-safe.
/// </summary>
public static class InvalidStatus
{
    /// <summary>
    /// <c>Service "x" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive</c>;
    /// several errors are joined as <c>[e1, e2]</c> after removing duplicates.
    /// </summary>
    /// <param name="qualifiedKind"><c>Service</c> for the core group, <c>Deployment.apps</c> otherwise.</param>
    /// <param name="name">The object's name.</param>
    /// <param name="errors">The errors, in order.</param>
    public static string Message(string qualifiedKind, string name, IReadOnlyList<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var head = $"{qualifiedKind} {FieldErrors.Quote(name)} is invalid";
        var texts = errors.Select(e => e.ToString()).Distinct(StringComparer.Ordinal).ToList();
        return texts.Count switch
        {
            0 => head,
            1 => head + ": " + texts[0],
            _ => head + ": [" + string.Join(", ", texts) + "]",
        };
    }

    /// <summary>The full <c>Status</c> body (code 422, reason Invalid, details with causes).</summary>
    public static JsonObject Build(string group, string kind, string name, IReadOnlyList<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var qualified = string.IsNullOrEmpty(group) ? kind : kind + "." + group;
        var causes = new JsonArray();
        foreach (var error in errors)
        {
            causes.Add(new JsonObject
            {
                ["reason"] = error.Type,
                ["message"] = error.Body,
                ["field"] = error.Field,
            });
        }

        var details = new JsonObject { ["name"] = name };
        if (!string.IsNullOrEmpty(group))
        {
            details["group"] = group;
        }

        details["kind"] = kind;
        details["causes"] = causes;
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message(qualified, name, errors),
            ["reason"] = "Invalid",
            ["details"] = details,
            ["code"] = 422,
        };
    }
}
