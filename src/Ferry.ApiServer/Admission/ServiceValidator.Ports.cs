using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Admission;

// Port rules of ServiceValidator (split by concern): one ServicePort, port numbers and port names.
public static partial class ServiceValidator
{
    private static List<FieldError> ValidatePort(JsonObject port, bool requireName, HashSet<string> names, string path)
    {
        var errors = new List<FieldError>();
        var name = ServiceFields.GetString(port, "name") ?? string.Empty;
        if (requireName && name.Length == 0)
        {
            errors.Add(FieldErrors.Required(path + ".name"));
        }
        else if (name.Length != 0)
        {
            foreach (var message in NameValidation.IsDns1123Label(name))
            {
                errors.Add(FieldErrors.Invalid(path + ".name", name, message));
            }

            if (!names.Add(name))
            {
                errors.Add(FieldErrors.Duplicate(path + ".name", name));
            }
        }

        var number = ServiceFields.GetInteger(port, "port") ?? 0;
        if (number is < 1 or > 65535)
        {
            errors.Add(FieldErrors.Invalid(path + ".port", number, PortRangeMessage));
        }

        var protocol = ServiceFields.GetString(port, "protocol") ?? string.Empty;
        if (protocol.Length == 0)
        {
            errors.Add(FieldErrors.Required(path + ".protocol"));
        }
        else if (!_protocols.Contains(protocol))
        {
            errors.Add(FieldErrors.NotSupported(path + ".protocol", port["protocol"], _protocols));
        }

        switch (port["targetPort"])
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                foreach (var message in PortNameErrors(text))
                {
                    errors.Add(FieldErrors.Invalid(path + ".targetPort", text, message));
                }

                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                var target = ServiceFields.AsInteger(v) ?? 0;
                if (target is < 1 or > 65535)
                {
                    errors.Add(FieldErrors.Invalid(path + ".targetPort", target, PortRangeMessage));
                }

                break;
        }

        if (ServiceFields.GetString(port, "appProtocol") is { } appProtocol)
        {
            foreach (var message in NameValidation.IsQualifiedName(appProtocol))
            {
                errors.Add(FieldErrors.Invalid(path + ".appProtocol", appProtocol, message));
            }
        }

        return errors;
    }

    /// <summary>Upstream <c>IsValidPortNum</c> text.</summary>
    public const string PortRangeMessage = "must be between 1 and 65535, inclusive";

    /// <summary>Upstream <c>IsValidPortName</c> (IANA service names, used by string target ports).</summary>
    public static IReadOnlyList<string> PortNameErrors(string port)
    {
        ArgumentNullException.ThrowIfNull(port);
        var errors = new List<string>();
        if (port.Length > 15)
        {
            errors.Add(NameValidation.MaxLenError(15));
        }

        if (port.Length == 0 || !port.All(c => c == '-' || char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c)))
        {
            errors.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }

        if (!port.Any(char.IsAsciiLetterLower))
        {
            errors.Add("must contain at least one letter (a-z)");
        }

        if (port.Contains("--", StringComparison.Ordinal))
        {
            errors.Add("must not contain consecutive hyphens");
        }

        if (port.Length > 0 && (port[0] == '-' || port[^1] == '-'))
        {
            errors.Add("must not begin or end with a hyphen");
        }

        return errors;
    }
}
