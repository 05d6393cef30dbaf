using System.Text.Json.Nodes;
using Ferry.Contracts.Addressing;

namespace Ferry.ApiServer.Admission;

// Status subresource rules of ServiceValidator (split by concern).
public static partial class ServiceValidator
{
    private static List<FieldError> ValidateLoadBalancerStatus(JsonObject service, bool hasIpMode = true)
    {
        var errors = new List<FieldError>();
        if (service["status"]?["loadBalancer"]?["ingress"] is not JsonArray ingress || ingress.Count == 0)
        {
            return errors;
        }

        if (ServiceFields.Type(service) != ServiceFields.LoadBalancer)
        {
            errors.Add(FieldErrors.Forbidden("status.loadBalancer.ingress", "may only be used when `spec.type` is 'LoadBalancer'"));
            return errors;
        }

        for (var i = 0; i < ingress.Count; i++)
        {
            var path = $"status.loadBalancer.ingress[{Index(i)}]";
            var entry = ingress[i] as JsonObject ?? [];
            var ip = ServiceFields.GetString(entry, "ip") ?? string.Empty;
            if (ip.Length > 0 && !NetworkText.TryParseAddress(ip, out _))
            {
                errors.Add(FieldErrors.Invalid(path + ".ip", ip, InvalidIpMessage));
            }

            var mode = entry["ipMode"];
            if (mode is null)
            {
                if (ip.Length > 0 && hasIpMode)
                {
                    errors.Add(FieldErrors.Required(path + ".ipMode", "must be specified when `ip` is set"));
                }
            }
            else if (ip.Length == 0)
            {
                errors.Add(FieldErrors.Forbidden(path + ".ipMode", "may not be specified when `ip` is not set"));
            }
            else if (!_ipModes.Contains(ServiceFields.GetString(entry, "ipMode")))
            {
                errors.Add(FieldErrors.NotSupported(path + ".ipMode", mode, _ipModes));
            }

            var hostname = ServiceFields.GetString(entry, "hostname") ?? string.Empty;
            if (hostname.Length > 0)
            {
                foreach (var message in NameValidation.IsDns1123Subdomain(hostname))
                {
                    errors.Add(FieldErrors.Invalid(path + ".hostname", hostname, message));
                }

                if (NetworkText.TryParseAddress(hostname, out _))
                {
                    errors.Add(FieldErrors.Invalid(path + ".hostname", hostname, "must be a DNS name, not an IP address"));
                }
            }
        }

        return errors;
    }
}
