using System.Text.RegularExpressions;
using Ferry.ApiServer.Errors;

namespace Ferry.ApiServer.Validation;

/// <summary>Object name validation with apimachinery's messages (RFC 1123 subdomain/label, RFC 1035 label).</summary>
internal static partial class NameRules
{
    private const string SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private const string LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private const string Dns1035Message = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    /// <summary>Validates a name for the given resource plural; returns the field errors.</summary>
    public static List<FieldError> Validate(string plural, string name, string field = "metadata.name")
    {
        var errors = new List<FieldError>();
        switch (plural)
        {
            case "services":
                Check(errors, field, name, 63, Dns1035().IsMatch(name), Dns1035Message);
                break;
            case "namespaces":
                Check(errors, field, name, 63, Label().IsMatch(name), LabelMessage);
                break;
            default:
                Check(errors, field, name, 253, Subdomain().IsMatch(name), SubdomainMessage);
                break;
        }

        return errors;
    }

    private static void Check(List<FieldError> errors, string field, string name, int max, bool matches, string message)
    {
        if (name.Length > max)
        {
            errors.Add(new FieldError("FieldValueInvalid", field, "Invalid value: \"" + name + "\": must be no more than " + max + " characters"));
        }

        if (!matches)
        {
            errors.Add(new FieldError("FieldValueInvalid", field, "Invalid value: \"" + name + "\": " + message));
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035();
}
