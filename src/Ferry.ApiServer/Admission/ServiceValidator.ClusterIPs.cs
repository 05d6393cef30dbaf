using System.Net;
using System.Text.Json.Nodes;
using Ferry.Contracts.Addressing;

namespace Ferry.ApiServer.Admission;

// Cluster IP, IP family and external IP rules of ServiceValidator (split by concern).
public static partial class ServiceValidator
{
    private static List<FieldError> ValidateClusterIPFields(JsonObject service)
    {
        var errors = new List<FieldError>();
        if (ServiceFields.Type(service) == ServiceFields.ExternalName)
        {
            return errors;
        }

        var spec = ServiceFields.Spec(service) ?? [];
        var clusterIp = ServiceFields.GetString(spec, "clusterIP") ?? string.Empty;
        var clusterIps = ServiceFields.StringList(spec, "clusterIPs");
        var clusterIpsNode = spec["clusterIPs"];
        if (clusterIp.Length != 0)
        {
            if (clusterIps.Count == 0)
            {
                errors.Add(FieldErrors.Required("spec.clusterIPs"));
            }
            else if (clusterIps[0] != clusterIp)
            {
                errors.Add(FieldErrors.Invalid("spec.clusterIPs", clusterIpsNode, "first value must match `clusterIP`"));
            }
        }
        else if (clusterIps.Count != 0)
        {
            errors.Add(FieldErrors.Invalid("spec.clusterIPs", clusterIpsNode, "must be empty when `clusterIP` is not specified"));
        }

        var families = ServiceFields.StringList(spec, "ipFamilies");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < families.Count; i++)
        {
            if (!_families.Contains(families[i]))
            {
                errors.Add(FieldErrors.NotSupported($"spec.ipFamilies[{Index(i)}]", families[i], _families));
            }

            if (!seen.Add(families[i]))
            {
                errors.Add(FieldErrors.Duplicate($"spec.ipFamilies[{Index(i)}]", families[i]));
            }
        }

        if (spec["ipFamilyPolicy"] is JsonNode policy && !_familyPolicies.Contains(ServiceFields.GetString(spec, "ipFamilyPolicy")))
        {
            errors.Add(FieldErrors.NotSupported("spec.ipFamilyPolicy", policy, _familyPolicies));
        }

        var invalid = false;
        var parsed = new List<IPAddress>();
        for (var i = 0; i < clusterIps.Count; i++)
        {
            if (i == 0 && clusterIps[i] == ServiceFields.None)
            {
                if (clusterIps.Count > 1)
                {
                    invalid = true;
                    errors.Add(FieldErrors.Invalid("spec.clusterIPs", clusterIpsNode, "'None' must be the first and only value"));
                }

                continue;
            }

            if (NetworkText.TryParseAddress(clusterIps[i], out var address))
            {
                parsed.Add(address);
            }
            else
            {
                invalid = true;
                errors.Add(FieldErrors.Invalid($"spec.clusterIPs[{Index(i)}]", clusterIps[i], InvalidIpMessage));
            }
        }

        if (clusterIps.Count > 2)
        {
            errors.Add(FieldErrors.Invalid("spec.clusterIPs", clusterIpsNode, "may only hold up to 2 values"));
        }

        if (invalid)
        {
            return errors;
        }

        if (parsed.Count > 1 && parsed.Select(p => p.AddressFamily).Distinct().Count() != parsed.Count)
        {
            errors.Add(FieldErrors.Invalid("spec.clusterIPs", clusterIpsNode, "may specify no more than one IP for each IP family"));
        }

        if (!ServiceFields.IsHeadless(service))
        {
            for (var i = 0; i < Math.Min(parsed.Count, families.Count); i++)
            {
                var isV6 = parsed[i].AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
                if (families[i] == "IPv4" && isV6)
                {
                    errors.Add(FieldErrors.Invalid($"spec.clusterIPs[{Index(i)}]", clusterIps[i], $"expected an IPv4 value as indicated by `ipFamilies[{Index(i)}]`"));
                }

                if (families[i] == "IPv6" && !isV6)
                {
                    errors.Add(FieldErrors.Invalid($"spec.clusterIPs[{Index(i)}]", clusterIps[i], $"expected an IPv6 value as indicated by `ipFamilies[{Index(i)}]`"));
                }
            }
        }

        return errors;
    }

    private static List<FieldError> ValidateExternalIp(string ip, string path)
    {
        if (!NetworkText.TryParseAddress(ip, out var address))
        {
            return [FieldErrors.Invalid(path, ip, InvalidIpMessage)];
        }

        var errors = new List<FieldError>();
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            errors.Add(FieldErrors.Invalid(path, ip, $"may not be unspecified ({ip})"));
        }

        if (IPAddress.IsLoopback(address))
        {
            errors.Add(FieldErrors.Invalid(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
        }

        var bytes = address.GetAddressBytes();
        if (address.IsIPv6LinkLocal || (bytes.Length == 4 && bytes[0] == 169 && bytes[1] == 254))
        {
            errors.Add(FieldErrors.Invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
        }

        if ((bytes.Length == 4 && bytes[0] == 224 && bytes[1] == 0 && bytes[2] == 0)
            || (bytes.Length == 16 && bytes[0] == 0xff && (bytes[1] & 0x0f) == 0x02))
        {
            errors.Add(FieldErrors.Invalid(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
        }

        return errors;
    }

    private static List<FieldError> ValidateClusterIPsUpdate(JsonObject old, JsonObject service)
    {
        var errors = new List<FieldError>();
        if (ServiceFields.Type(service) == ServiceFields.ExternalName || ServiceFields.Type(old) == ServiceFields.ExternalName)
        {
            return errors;
        }

        if (ServiceFields.IsHeadless(old) && ServiceFields.IsHeadless(service))
        {
            return errors;
        }

        var oldIps = ServiceFields.StringList(ServiceFields.Spec(old), "clusterIPs");
        var newIps = ServiceFields.StringList(ServiceFields.Spec(service), "clusterIPs");
        JsonNode newNode = new JsonArray([.. newIps.Select(ip => (JsonNode)ip)]);
        if (oldIps.Count == newIps.Count)
        {
            for (var i = 0; i < oldIps.Count; i++)
            {
                if (oldIps[i] != newIps[i])
                {
                    errors.Add(FieldErrors.Invalid($"spec.clusterIPs[{Index(i)}]", newNode, "may not change once set"));
                }
            }
        }
        else if (oldIps.Count > newIps.Count)
        {
            if (newIps.Count == 0)
            {
                errors.Add(FieldErrors.Invalid("spec.clusterIPs[0]", newNode, "primary clusterIP can not be unset"));
            }

            if (oldIps.Count > 0 && newIps.Count > 0 && newIps[0] != oldIps[0])
            {
                errors.Add(FieldErrors.Invalid("spec.clusterIPs[0]", newNode, "may not change once set"));
            }

            if (newIps.Count == 1 && ServiceFields.GetString(ServiceFields.Spec(service), "ipFamilyPolicy") != "SingleStack")
            {
                errors.Add(FieldErrors.Invalid("spec.clusterIPs[0]", newNode, "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
            }
        }
        else if (oldIps.Count > 0 && newIps[0] != oldIps[0])
        {
            errors.Add(FieldErrors.Invalid("spec.clusterIPs[0]", newNode, "may not change once set"));
        }

        return errors;
    }

    private static List<FieldError> ValidateIPFamiliesUpdate(JsonObject old, JsonObject service)
    {
        var errors = new List<FieldError>();
        if (ServiceFields.Type(service) == ServiceFields.ExternalName || ServiceFields.Type(old) == ServiceFields.ExternalName)
        {
            return errors;
        }

        var oldFamilies = ServiceFields.StringList(ServiceFields.Spec(old), "ipFamilies");
        var newFamilies = ServiceFields.StringList(ServiceFields.Spec(service), "ipFamilies");
        JsonNode newNode = new JsonArray([.. newFamilies.Select(f => (JsonNode)f)]);
        if (oldFamilies.Count > 0 && newFamilies.Count > 0 && oldFamilies[0] != newFamilies[0])
        {
            errors.Add(FieldErrors.Invalid("spec.ipFamilies[0]", newNode, "may not change once set"));
        }

        return errors;
    }
}
