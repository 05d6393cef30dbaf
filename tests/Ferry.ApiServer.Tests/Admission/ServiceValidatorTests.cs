using Ferry.ApiServer.Admission;

namespace Ferry.ApiServer.Tests.Admission;

public class ServiceValidatorTests
{
    [Fact]
    public void Validate_ValidService_NoErrors()
    {
        Assert.Empty(ServiceValidator.Validate(ServiceJson.Valid(), null));
    }

    [Theory]
    [InlineData("port zero", ""","ports":[{"port":0,"protocol":"TCP","targetPort":80}]""",
        "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive")]
    [InlineData("port too large", ""","ports":[{"port":70000,"protocol":"TCP","targetPort":80}]""",
        "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive")]
    [InlineData("no ports", ""","ports":[]""", "spec.ports: Required value")]
    [InlineData("name required with two ports", ""","ports":[{"port":80,"protocol":"TCP","targetPort":80},{"name":"b","port":81,"protocol":"TCP","targetPort":81}]""",
        "spec.ports[0].name: Required value")]
    [InlineData("duplicate port names", ""","ports":[{"name":"a","port":80,"protocol":"TCP","targetPort":80},{"name":"a","port":81,"protocol":"TCP","targetPort":81}]""",
        "spec.ports[1].name: Duplicate value: \"a\"")]
    [InlineData("duplicate port and protocol", ""","ports":[{"name":"a","port":80,"protocol":"TCP","targetPort":80},{"name":"b","port":80,"protocol":"TCP","targetPort":81}]""",
        "spec.ports[1]: Duplicate value: {\"Name\":\"\",\"Protocol\":\"TCP\",\"AppProtocol\":null,\"Port\":80,\"TargetPort\":0,\"NodePort\":0}")]
    [InlineData("unsupported protocol", ""","ports":[{"port":80,"protocol":"HTTP","targetPort":80}]""",
        "spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"")]
    [InlineData("bad target port name", ""","ports":[{"port":80,"protocol":"TCP","targetPort":"web_port"}]""",
        "spec.ports[0].targetPort: Invalid value: \"web_port\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")]
    [InlineData("bad port name", ""","ports":[{"name":"Web","port":80,"protocol":"TCP","targetPort":80}]""",
        "spec.ports[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")]
    [InlineData("nodePort on ClusterIP", ""","ports":[{"port":80,"protocol":"TCP","targetPort":80,"nodePort":30001}]""",
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'")]
    [InlineData("affinity timeout too large", ""","sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":86401}}""",
        "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400")]
    [InlineData("affinity config with None", ""","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":5}}""",
        "spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None")]
    [InlineData("unsupported affinity", ""","sessionAffinity":"Sticky" """,
        "spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\"")]
    [InlineData("source ranges on ClusterIP", ""","loadBalancerSourceRanges":["10.0.0.0/8"]""",
        "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'")]
    [InlineData("externalTrafficPolicy on ClusterIP", ""","externalTrafficPolicy":"Local" """,
        "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for externally-accessible services")]
    [InlineData("healthCheckNodePort on ClusterIP", ""","healthCheckNodePort":30005""",
        "spec.healthCheckNodePort: Invalid value: 30005: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'")]
    [InlineData("loadBalancerClass on ClusterIP", ""","loadBalancerClass":"ferry.example/lb" """,
        "spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'")]
    [InlineData("allocateLoadBalancerNodePorts on ClusterIP", ""","allocateLoadBalancerNodePorts":true""",
        "spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'")]
    [InlineData("unsupported type", ""","type":"Magic" """,
        "spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"")]
    [InlineData("bad selector value", ""","selector":{"app":"a b"}""",
        "spec.selector: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")]
    [InlineData("clusterIPs mismatch", ""","clusterIPs":["10.96.0.11"]""",
        "spec.clusterIPs: Invalid value: [\"10.96.0.11\"]: first value must match `clusterIP`")]
    [InlineData("bad external IP", ""","externalIPs":["127.0.0.1"],"externalTrafficPolicy":"Cluster" """,
        "spec.externalIPs[0]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)")]
    [InlineData("unsupported family", ""","ipFamilies":["IPv5"]""",
        "spec.ipFamilies[0]: Unsupported value: \"IPv5\": supported values: \"IPv4\", \"IPv6\"")]
    [InlineData("missing internal policy", ""","internalTrafficPolicy":null""", "spec.internalTrafficPolicy: Required value")]
    public void Validate_SingleError_MatchesUpstreamText(string description, string specOverride, string expected)
    {
        var errors = ServiceValidator.Validate(ServiceJson.Valid(specOverride), null);
        Assert.True(errors.Count == 1, $"{description}: {string.Join(" | ", errors)}");
        Assert.Equal(expected, errors[0].ToString());
    }

    [Theory]
    [InlineData("LB needs allocateLoadBalancerNodePorts", """{"type":"LoadBalancer","externalTrafficPolicy":"Cluster","ports":[{"port":80,"protocol":"TCP","targetPort":80,"nodePort":30080}]}""",
        "allocateLoadBalancerNodePorts: Required value")]
    [InlineData("LB with headless clusterIP", """{"type":"LoadBalancer","externalTrafficPolicy":"Cluster","allocateLoadBalancerNodePorts":true,"clusterIP":"None","clusterIPs":["None"]}""",
        "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services")]
    [InlineData("LB Local without health check port", """{"type":"LoadBalancer","externalTrafficPolicy":"Local","allocateLoadBalancerNodePorts":true}""",
        "spec.healthCheckNodePort: Required value")]
    [InlineData("LB bad source range", """{"type":"LoadBalancer","externalTrafficPolicy":"Cluster","allocateLoadBalancerNodePorts":true,"loadBalancerSourceRanges":[" 10.0.0.0/8 ","10.0.0.0/33"]}""",
        "spec.LoadBalancerSourceRanges[1]: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")]
    [InlineData("LB unsupported traffic policy", """{"type":"LoadBalancer","externalTrafficPolicy":"Global","allocateLoadBalancerNodePorts":true}""",
        "spec.externalTrafficPolicy: Unsupported value: \"Global\": supported values: \"Cluster\", \"Local\"")]
    [InlineData("LB bad class", """{"type":"LoadBalancer","externalTrafficPolicy":"Cluster","allocateLoadBalancerNodePorts":true,"loadBalancerClass":"a/b/c"}""",
        "spec.loadBalancerClass: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")]
    [InlineData("NodePort duplicate node port", """{"type":"NodePort","externalTrafficPolicy":"Cluster","ports":[{"name":"a","port":80,"protocol":"TCP","targetPort":80,"nodePort":30080},{"name":"b","port":81,"protocol":"TCP","targetPort":81,"nodePort":30080}]}""",
        "spec.ports[1].nodePort: Duplicate value: 30080")]
    [InlineData("ExternalName without name", """{"type":"ExternalName","clusterIP":null,"clusterIPs":null,"ipFamilies":null,"ipFamilyPolicy":null,"internalTrafficPolicy":null}""",
        "spec.externalName: Required value")]
    [InlineData("ExternalName with cluster IPs", """{"type":"ExternalName","externalName":"db.example.com.","clusterIP":null,"ipFamilies":null,"ipFamilyPolicy":null,"internalTrafficPolicy":null}""",
        "spec.clusterIPs: Forbidden: may not be set for ExternalName services")]
    public void Validate_TypeSpecific(string description, string specPatch, string expected)
    {
        var service = ServiceJson.Valid();
        var patched = (System.Text.Json.Nodes.JsonObject)Ferry.ApiServer.Patching.JsonMergePatch.Apply(service, ServiceJson.Parse($$$"""{"spec":{{{specPatch}}}}"""))!;
        var errors = ServiceValidator.Validate(patched, null);
        Assert.True(errors.Count == 1, $"{description}: {string.Join(" | ", errors)}");
        Assert.Equal(expected, errors[0].ToString());
    }

    [Theory]
    [InlineData("uppercase", "Web", "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")]
    [InlineData("leading digit", "1web", "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")]
    public void Validate_BadName_Dns1035(string description, string name, string message)
    {
        var service = ServiceJson.Valid();
        service["metadata"]!["name"] = name;
        var errors = ServiceValidator.Validate(service, null);
        Assert.True(errors.Count == 1, description);
        Assert.Equal($"metadata.name: Invalid value: \"{name}\": {message}", errors[0].ToString());
    }

    [Fact]
    public void Validate_MissingNameAndNamespace_Required()
    {
        var service = ServiceJson.Valid();
        service["metadata"] = new System.Text.Json.Nodes.JsonObject();
        Assert.Equal(
            ["metadata.name: Required value: name or generateName is required", "metadata.namespace: Required value"],
            ServiceValidator.Validate(service, null).Select(e => e.ToString()));
    }

    [Fact]
    public void Validate_ClusterIPChanged_Immutable()
    {
        var old = ServiceJson.Valid();
        var updated = ServiceJson.Valid(""","clusterIP":"10.96.0.11","clusterIPs":["10.96.0.11"]""");
        var errors = ServiceValidator.Validate(updated, old);
        Assert.Equal(["spec.clusterIPs[0]: Invalid value: [\"10.96.0.11\"]: may not change once set"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Validate_LoadBalancerClassChanged_MayNotChange()
    {
        const string lb = ""","type":"LoadBalancer","externalTrafficPolicy":"Cluster","allocateLoadBalancerNodePorts":true,"ports":[{"port":80,"protocol":"TCP","targetPort":80,"nodePort":30080}]""";
        var old = ServiceJson.Valid(lb + ""","loadBalancerClass":"a.example/x" """);
        var updated = ServiceJson.Valid(lb + ""","loadBalancerClass":"b.example/y" """);
        Assert.Equal(["spec.loadBalancerClass: Invalid value: \"b.example/y\": may not change once set"],
            ServiceValidator.Validate(updated, old).Select(e => e.ToString()));

        var unset = ServiceJson.Valid(lb);
        Assert.Equal(["spec.loadBalancerClass: Invalid value: null: may not change once set"],
            ServiceValidator.Validate(unset, old).Select(e => e.ToString()));
    }

    [Fact]
    public void Validate_HealthCheckNodePortChanged_Immutable()
    {
        const string lb = ""","type":"LoadBalancer","externalTrafficPolicy":"Local","allocateLoadBalancerNodePorts":true,"ports":[{"port":80,"protocol":"TCP","targetPort":80,"nodePort":30080}]""";
        var old = ServiceJson.Valid(lb + ""","healthCheckNodePort":30100""");
        var updated = ServiceJson.Valid(lb + ""","healthCheckNodePort":30101""");
        Assert.Equal(["spec.healthCheckNodePort: Forbidden: field is immutable"], ServiceValidator.Validate(updated, old).Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("valid ingress", """[{"ip":"192.0.2.1","ipMode":"VIP"},{"hostname":"lb.example.com"}]""", null)]
    [InlineData("bad ip", """[{"ip":"192.0.2","ipMode":"VIP"}]""", "status.loadBalancer.ingress[0].ip: Invalid value: \"192.0.2\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")]
    [InlineData("ipMode missing", """[{"ip":"192.0.2.1"}]""", "status.loadBalancer.ingress[0].ipMode: Required value: must be specified when `ip` is set")]
    [InlineData("ipMode without ip", """[{"hostname":"a.example","ipMode":"VIP"}]""", "status.loadBalancer.ingress[0].ipMode: Forbidden: may not be specified when `ip` is not set")]
    [InlineData("bad ipMode", """[{"ip":"192.0.2.1","ipMode":"Direct"}]""", "status.loadBalancer.ingress[0].ipMode: Unsupported value: \"Direct\": supported values: \"Proxy\", \"VIP\"")]
    [InlineData("hostname is an IP", """[{"hostname":"192.0.2.1"}]""", "status.loadBalancer.ingress[0].hostname: Invalid value: \"192.0.2.1\": must be a DNS name, not an IP address")]
    public void ValidateStatus_Ingress(string description, string ingress, string? expected)
    {
        var lb = ServiceJson.Valid(""","type":"LoadBalancer","externalTrafficPolicy":"Cluster","allocateLoadBalancerNodePorts":true""");
        var updated = lb.DeepClone().AsObject();
        updated["status"] = ServiceJson.Parse($$$"""{"loadBalancer":{"ingress":{{{ingress}}}}}""");
        var errors = ServiceValidator.ValidateStatus(updated, lb);
        Assert.True((expected is null ? 0 : 1) == errors.Count, $"{description}: {string.Join(" | ", errors)}");
        if (expected is not null)
        {
            Assert.Equal(expected, errors[0].ToString());
        }
    }

    [Fact]
    public void ValidateStatus_IngressOnClusterIP_Forbidden()
    {
        var old = ServiceJson.Valid();
        var updated = old.DeepClone().AsObject();
        updated["status"] = ServiceJson.Parse("""{"loadBalancer":{"ingress":[{"ip":"192.0.2.1","ipMode":"VIP"}]}}""");
        Assert.Equal(["status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'"],
            ServiceValidator.ValidateStatus(updated, old).Select(e => e.ToString()));
    }

    [Fact]
    public void InvalidStatus_Message_RendersLikeKubectlSees()
    {
        var errors = ServiceValidator.Validate(ServiceJson.Valid(""","ports":[{"port":0,"protocol":"TCP","targetPort":80}]"""), null);
        Assert.Equal("Service \"web\" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
            InvalidStatus.Message("Service", "web", errors));

        var two = new[] { FieldErrors.Required("spec.ports"), FieldErrors.Required("spec.type"), FieldErrors.Required("spec.type") };
        Assert.Equal("Service \"web\" is invalid: [spec.ports: Required value, spec.type: Required value]", InvalidStatus.Message("Service", "web", two));

        var status = InvalidStatus.Build("", "Service", "web", errors);
        Assert.Equal(422, (int)status["code"]!);
        Assert.Equal("Invalid", (string)status["reason"]!);
        Assert.Equal("FieldValueInvalid", (string)status["details"]!["causes"]![0]!["reason"]!);
        Assert.Equal("spec.ports[0].port", (string)status["details"]!["causes"]![0]!["field"]!);
        Assert.Equal("Invalid value: 0: must be between 1 and 65535, inclusive", (string)status["details"]!["causes"]![0]!["message"]!);
    }
}
