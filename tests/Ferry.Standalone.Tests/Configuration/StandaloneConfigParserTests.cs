using System.Net;
using Ferry.Configuration;
using Ferry.Contracts;
using Ferry.Standalone.Configuration;

namespace Ferry.Standalone.Tests.Configuration;

public class StandaloneConfigParserTests
{
    /// <summary>The example from the issue, verbatim.</summary>
    private const string IssueExample = """
        loadBalancers:
          - name: web
            addresses: [127.0.0.10]
            algorithm: roundRobin          # roundRobin | leastConnections | random | powerOfTwo | clientIpHash
            sourceRanges: [127.0.0.0/8]    # optional; absent = everyone
            proxyProtocol: none            # none | v1 | v2
            listeners:
              - protocol: TCP              # TCP | UDP
                port: 8080
                backends:
                  - { address: 127.0.0.1, port: 9001 }
                  - { address: 127.0.0.1, port: 9002, weight: 2 }
                healthCheck: { type: tcp, intervalSeconds: 1, timeoutSeconds: 1, healthyThreshold: 1, unhealthyThreshold: 2 }
        """;

    private static LoadBalancerSpec Single(string yaml)
    {
        var result = StandaloneConfigParser.Parse(yaml);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        return Assert.Single(result.LoadBalancers);
    }

    private static ConfigError SingleError(string yaml)
    {
        var result = StandaloneConfigParser.Parse(yaml);
        Assert.False(result.IsValid);
        Assert.Empty(result.LoadBalancers);
        return Assert.Single(result.Errors);
    }

    /// <summary>A minimal valid config with one line replaced, for error cases.</summary>
    private static string Minimal(string lbExtra = "", string listenerExtra = "", string backend = "{ address: 127.0.0.1, port: 9001 }") => $"""
        loadBalancers:
          - name: web
            addresses: [127.0.0.10]
        {Indent(lbExtra, 4)}
            listeners:
              - port: 8080
        {Indent(listenerExtra, 8)}
                backends:
                  - {backend}
        """;

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Select(line => line.Length == 0 ? line : new string(' ', spaces) + line));

    [Fact]
    public void Parse_IssueExample_BuildsTheSpec()
    {
        var spec = Single(IssueExample);

        var expected = new LoadBalancerSpec
        {
            Key = LoadBalancerKey.Standalone("web"),
            Addresses = [IPAddress.Parse("127.0.0.10")],
            Settings = new LoadBalancerSettings
            {
                Algorithm = BalancingAlgorithm.RoundRobin,
                SourceRanges = [IPNetwork.Parse("127.0.0.0/8")],
                ProxyProtocol = ProxyProtocolVersion.None,
            },
            Listeners =
            [
                new ListenerSpec
                {
                    Protocol = TransportProtocol.Tcp,
                    Port = 8080,
                    Backends = [new BackendSpec(IPAddress.Loopback, 9001), new BackendSpec(IPAddress.Loopback, 9002, Weight: 2)],
                    HealthCheck = new HealthCheckSpec
                    {
                        Type = HealthCheckType.Tcp,
                        Interval = TimeSpan.FromSeconds(1),
                        Timeout = TimeSpan.FromSeconds(1),
                        HealthyThreshold = 1,
                        UnhealthyThreshold = 2,
                    },
                },
            ],
        };
        Assert.Equal(expected, spec);
        Assert.Equal("", spec.Key.Namespace);
    }

    [Fact]
    public void Parse_ExampleFileInRepository_IsValid()
    {
        var path = Path.Combine(RepositoryRoot(), "examples", "proxy.yaml");

        var spec = Single(File.ReadAllText(path));

        Assert.Equal("web", spec.Key.Name);
        Assert.Equal([IPAddress.Parse("127.0.0.10")], spec.Addresses);
        Assert.Equal(8080, spec.Listeners[0].Port);
        Assert.Equal([9001, 9002], spec.Listeners[0].Backends.Select(b => b.Port));
    }

    [Fact]
    public void Parse_EveryKey_MapsToTheSpec()
    {
        var spec = Single("""
            loadBalancers:
              - name: dns.v6_1
                addresses: [127.0.0.11, "::1"]
                algorithm: clientIpHash
                sourceRanges: [10.0.0.0/8, 192.168.1.7, "fd00::/8"]
                proxyProtocol: v2
                sessionAffinity: { timeoutSeconds: 600 }
                drainTimeoutSeconds: 0
                tcpIdleTimeoutSeconds: 60
                udpIdleTimeoutSeconds: 2.5
                maxUdpFlows: 1000
                listeners:
                  - protocol: UDP
                    port: 53
                    backends:
                      - { address: "::1", port: 5353, weight: 1000, name: node-a }
                    healthCheck:
                      type: http
                      intervalSeconds: 0.5
                      timeoutSeconds: 0.25
                      healthyThreshold: 3
                      unhealthyThreshold: 4
                      port: 10256
                      path: /livez?verbose
                      expectedStatus: 204
                  - port: 443
            """);

        Assert.Equal(LoadBalancerKey.Standalone("dns.v6_1"), spec.Key);
        Assert.Equal([IPAddress.Parse("127.0.0.11"), IPAddress.IPv6Loopback], spec.Addresses);
        Assert.Equal(BalancingAlgorithm.ClientIpHash, spec.Settings.Algorithm);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("192.168.1.7/32"), IPNetwork.Parse("fd00::/8")], spec.Settings.SourceRanges);
        Assert.Equal(ProxyProtocolVersion.V2, spec.Settings.ProxyProtocol);
        Assert.Equal(new SessionAffinitySpec(TimeSpan.FromSeconds(600)), spec.Settings.SessionAffinity);
        Assert.Equal(TimeSpan.Zero, spec.Settings.DrainTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), spec.Settings.TcpIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2.5), spec.Settings.UdpIdleTimeout);
        Assert.Equal(1000, spec.Settings.MaxUdpFlows);

        var udp = spec.Listeners[0];
        Assert.Equal(TransportProtocol.Udp, udp.Protocol);
        Assert.Equal(53, udp.Port);
        Assert.Equal([new BackendSpec(IPAddress.IPv6Loopback, 5353, 1000, "node-a")], udp.Backends);
        Assert.Equal(
            new HealthCheckSpec
            {
                Type = HealthCheckType.Http,
                Interval = TimeSpan.FromSeconds(0.5),
                Timeout = TimeSpan.FromSeconds(0.25),
                HealthyThreshold = 3,
                UnhealthyThreshold = 4,
                Port = 10256,
                Path = "/livez?verbose",
                ExpectedStatus = 204,
            },
            udp.HealthCheck);

        var tcp = spec.Listeners[1];
        Assert.Equal(TransportProtocol.Tcp, tcp.Protocol);
        Assert.Empty(tcp.Backends);
        Assert.Null(tcp.HealthCheck);
    }

    [Fact]
    public void Parse_OptionalKeysAbsent_UsesModelDefaults()
    {
        var spec = Single(Minimal());

        var defaults = new LoadBalancerSettings();
        Assert.Equal(defaults.Algorithm, spec.Settings.Algorithm);
        Assert.Equal(defaults.ProxyProtocol, spec.Settings.ProxyProtocol);
        Assert.Empty(spec.Settings.SourceRanges);
        Assert.Null(spec.Settings.SessionAffinity);
        Assert.Equal(defaults.DrainTimeout, spec.Settings.DrainTimeout);
        Assert.Equal(defaults.TcpIdleTimeout, spec.Settings.TcpIdleTimeout);
        Assert.Equal(defaults.UdpIdleTimeout, spec.Settings.UdpIdleTimeout);
        Assert.Equal(defaults.MaxUdpFlows, spec.Settings.MaxUdpFlows);
        Assert.Equal(TransportProtocol.Tcp, spec.Listeners[0].Protocol);
        Assert.Null(spec.Listeners[0].HealthCheck);
        Assert.Equal(1, spec.Listeners[0].Backends[0].Weight);
        Assert.Null(spec.Listeners[0].Backends[0].Name);
    }

    [Fact]
    public void Parse_EmptyHealthCheckAndAffinityMappings_UseDefaults()
    {
        var spec = Single(Minimal(lbExtra: "sessionAffinity: {}", listenerExtra: "healthCheck: {}"));

        Assert.Equal(new SessionAffinitySpec(SessionAffinitySpec.DefaultTimeout), spec.Settings.SessionAffinity);
        Assert.Equal(new HealthCheckSpec(), spec.Listeners[0].HealthCheck);
    }

    [Theory]
    [InlineData("roundrobin", BalancingAlgorithm.RoundRobin)]
    [InlineData("leastConnections", BalancingAlgorithm.LeastConnections)]
    [InlineData("random", BalancingAlgorithm.Random)]
    [InlineData("powerOfTwo", BalancingAlgorithm.PowerOfTwo)]
    [InlineData("ClientIpHash", BalancingAlgorithm.ClientIpHash)]
    public void Parse_AlgorithmNames_IgnoreCase(string name, BalancingAlgorithm expected)
    {
        Assert.Equal(expected, Single(Minimal(lbExtra: $"algorithm: {name}")).Settings.Algorithm);
    }

    [Fact]
    public void Parse_EmptyList_GivesNoLoadBalancers()
    {
        var result = StandaloneConfigParser.Parse("loadBalancers: []\n");

        Assert.True(result.IsValid);
        Assert.Empty(result.LoadBalancers);
    }

    [Fact]
    public void Parse_AnchorsAndAliases_AreResolved()
    {
        var result = StandaloneConfigParser.Parse("""
            loadBalancers:
              - name: a
                addresses: [127.0.0.10]
                listeners:
                  - port: 80
                    backends: &pool
                      - { address: 127.0.0.1, port: 9001 }
              - name: b
                addresses: [127.0.0.11]
                listeners:
                  - port: 80
                    backends: *pool
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(result.LoadBalancers[0].Listeners[0].Backends, result.LoadBalancers[1].Listeners[0].Backends);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    [InlineData("# nothing but a comment\n")]
    public void Parse_EmptyFile_IsAnError(string yaml)
    {
        var error = SingleError(yaml);

        Assert.Equal("", error.Path);
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("loadBalancers: [\n", 2, 1)]
    [InlineData("loadBalancers:\n  - name: a\n   addresses: []\n", 3, 4)]
    [InlineData("{{{{ not yaml", 2, 1)]
    [InlineData("loadBalancers: []\nloadBalancers: []\n", 2, 1)]
    [InlineData("loadBalancers: *missing\n", 1, 1)]
    public void Parse_Garbage_ReportsYamlSyntaxErrorWithPosition(string yaml, int line, int column)
    {
        var error = SingleError(yaml);

        Assert.Equal("", error.Path);
        Assert.StartsWith("YAML syntax error: ", error.Message, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("just a string")]
    [InlineData("- a\n- b\n")]
    [InlineData("42")]
    public void Parse_RootNotAMapping_IsAnError(string yaml)
    {
        var error = SingleError(yaml);

        Assert.Equal("", error.Path);
        Assert.StartsWith("must be a mapping with keys dataPlane, loadBalancers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoDocuments_IsAnError()
    {
        var error = SingleError("loadBalancers: []\n---\nloadBalancers: []\n");

        Assert.Contains("more than one YAML document", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Parse_BackendPortOutOfRange_NamesTheExactPath()
    {
        var error = SingleError("""
            loadBalancers:
              - name: web
                addresses: [127.0.0.10]
                listeners:
                  - port: 8080
                    backends: [{ address: 127.0.0.1, port: 9001 }]
                  - port: 8081
                    backends:
                      - { address: 127.0.0.1, port: 70000 }
            """);

        Assert.Equal("loadBalancers[0].listeners[1].backends[0].port: must be between 1 and 65535", error.ToString());
        Assert.Equal((9, 41), (error.Line, error.Column));
    }

    /// <summary>Each case: one bad fragment in an otherwise valid file, the path and message expected.</summary>
    public static TheoryData<string, string, string> ErrorCases => new()
    {
        // root
        { "loadBalancers: []\nlistners: []\n", "listners", "unknown key (allowed: dataPlane, loadBalancers)" },
        { "loadBalancers: []\nloadBalancer: []\n", "loadBalancer", "unknown key, did you mean loadBalancers? (allowed: dataPlane, loadBalancers)" },
        { "loadBalancers:\n", "loadBalancers", "required (write \"loadBalancers: []\" for none)" },
        { "loadBalancers: web\n", "loadBalancers", "must be a list" },
        { "loadBalancers: [web]\n", "loadBalancers[0]", "must be a mapping with keys name, addresses, algorithm, sourceRanges, proxyProtocol, sessionAffinity, drainTimeoutSeconds, tcpIdleTimeoutSeconds, udpIdleTimeoutSeconds, maxUdpFlows, listeners" },

        // load balancer
        { Minimal(lbExtra: "colour: blue"), "loadBalancers[0].colour", "unknown key (allowed: name, addresses, algorithm, sourceRanges, proxyProtocol, sessionAffinity, drainTimeoutSeconds, tcpIdleTimeoutSeconds, udpIdleTimeoutSeconds, maxUdpFlows, listeners)" },
        { Minimal(lbExtra: "algoritm: random"), "loadBalancers[0].algoritm", "unknown key, did you mean algorithm? (allowed: name, addresses, algorithm, sourceRanges, proxyProtocol, sessionAffinity, drainTimeoutSeconds, tcpIdleTimeoutSeconds, udpIdleTimeoutSeconds, maxUdpFlows, listeners)" },
        { "loadBalancers:\n  - addresses: [127.0.0.10]\n    listeners: [{ port: 80 }]\n", "loadBalancers[0].name", "required" },
        { "loadBalancers:\n  - name: -web\n    addresses: [127.0.0.10]\n    listeners: [{ port: 80 }]\n", "loadBalancers[0].name", "must be 1 to 63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit" },
        { "loadBalancers:\n  - name: [a]\n    addresses: [127.0.0.10]\n    listeners: [{ port: 80 }]\n", "loadBalancers[0].name", "must be a string" },
        { "loadBalancers:\n  - name: web\n    listeners: [{ port: 80 }]\n", "loadBalancers[0].addresses", "required: at least one IP address to listen on" },
        { "loadBalancers:\n  - name: web\n    addresses: []\n    listeners: [{ port: 80 }]\n", "loadBalancers[0].addresses", "must list at least one IP address" },
        { "loadBalancers:\n  - name: web\n    addresses: 127.0.0.10\n    listeners: [{ port: 80 }]\n", "loadBalancers[0].addresses", "must be a list" },
        { "loadBalancers:\n  - name: web\n    addresses: [localhost]\n    listeners: [{ port: 80 }]\n", "loadBalancers[0].addresses[0]", "must be an IP address (like 127.0.0.1 or ::1)" },
        { "loadBalancers:\n  - name: web\n    addresses: [127.1]\n    listeners: [{ port: 80 }]\n", "loadBalancers[0].addresses[0]", "must be an IP address (like 127.0.0.1 or ::1)" },
        { "loadBalancers:\n  - name: web\n    addresses: [127.0.0.10, 127.0.0.10]\n    listeners: [{ port: 80 }]\n", "loadBalancers[0].addresses[1]", "duplicate address 127.0.0.10" },
        { Minimal(lbExtra: "algorithm: fastest"), "loadBalancers[0].algorithm", "\"fastest\" is not valid; must be one of roundRobin, leastConnections, random, powerOfTwo, clientIpHash" },
        { Minimal(lbExtra: "proxyProtocol: v3"), "loadBalancers[0].proxyProtocol", "\"v3\" is not valid; must be one of none, v1, v2" },
        { Minimal(lbExtra: "proxyProtocol: [v1]"), "loadBalancers[0].proxyProtocol", "must be one of none, v1, v2" },
        { Minimal(lbExtra: "sourceRanges: [10.0.0.1/8]"), "loadBalancers[0].sourceRanges[0]", "\"10.0.0.1/8\" has host bits set; did you mean 10.0.0.0/8?" },
        { Minimal(lbExtra: "sourceRanges: [10.0.0.0/33]"), "loadBalancers[0].sourceRanges[0]", "\"10.0.0.0/33\" has an invalid prefix length (0 to 32)" },
        { Minimal(lbExtra: "sourceRanges: [office]"), "loadBalancers[0].sourceRanges[0]", "\"office\" is not a CIDR like 10.0.0.0/8" },
        { Minimal(lbExtra: "sourceRanges: 10.0.0.0/8"), "loadBalancers[0].sourceRanges", "must be a list" },
        { Minimal(lbExtra: "sessionAffinity: ClientIP"), "loadBalancers[0].sessionAffinity", "must be a mapping with keys timeoutSeconds" },
        { Minimal(lbExtra: "sessionAffinity: { timeoutSeconds: 0 }"), "loadBalancers[0].sessionAffinity.timeoutSeconds", "must be between 1 and 86400" },
        { Minimal(lbExtra: "sessionAffinity: { timeout: 5 }"), "loadBalancers[0].sessionAffinity.timeout", "unknown key, did you mean timeoutSeconds? (allowed: timeoutSeconds)" },
        { Minimal(lbExtra: "drainTimeoutSeconds: -1"), "loadBalancers[0].drainTimeoutSeconds", "must be between 0 and 3600" },
        { Minimal(lbExtra: "drainTimeoutSeconds: soon"), "loadBalancers[0].drainTimeoutSeconds", "must be a number of seconds between 0 and 3600" },
        { Minimal(lbExtra: "tcpIdleTimeoutSeconds: 0"), "loadBalancers[0].tcpIdleTimeoutSeconds", "must be between 1 and 86400" },
        { Minimal(lbExtra: "udpIdleTimeoutSeconds: 90000"), "loadBalancers[0].udpIdleTimeoutSeconds", "must be between 1 and 86400" },
        { Minimal(lbExtra: "maxUdpFlows: 0"), "loadBalancers[0].maxUdpFlows", "must be between 1 and 10000000" },
        { Minimal(lbExtra: "maxUdpFlows: 1.5"), "loadBalancers[0].maxUdpFlows", "must be a whole number between 1 and 10000000" },
        { "loadBalancers:\n  - name: web\n    addresses: [127.0.0.10]\n", "loadBalancers[0].listeners", "required: at least one listener" },
        { "loadBalancers:\n  - name: web\n    addresses: [127.0.0.10]\n    listeners: []\n", "loadBalancers[0].listeners", "must list at least one listener" },

        // listener
        { Minimal(listenerExtra: "protocol: SCTP"), "loadBalancers[0].listeners[0].protocol", "\"SCTP\" is not valid; must be one of TCP, UDP" },
        { Minimal(listenerExtra: "prot: TCP"), "loadBalancers[0].listeners[0].prot", "unknown key, did you mean protocol? (allowed: protocol, port, backends, healthCheck)" },
        { "loadBalancers:\n  - name: web\n    addresses: [127.0.0.10]\n    listeners: [{ protocol: TCP }]\n", "loadBalancers[0].listeners[0].port", "required" },
        { Minimal(backend: "{ address: 127.0.0.1, port: 9001, prt: 1 }"), "loadBalancers[0].listeners[0].backends[0].prt", "unknown key, did you mean port? (allowed: address, port, weight, name)" },
        { "loadBalancers:\n  - name: web\n    addresses: [127.0.0.10]\n    listeners: [{ port: 0 }]\n", "loadBalancers[0].listeners[0].port", "must be between 1 and 65535" },
        { "loadBalancers:\n  - name: web\n    addresses: [127.0.0.10]\n    listeners: [{ port: http }]\n", "loadBalancers[0].listeners[0].port", "must be a whole number between 1 and 65535" },
        { "loadBalancers:\n  - name: web\n    addresses: [127.0.0.10]\n    listeners: [{ port: 80 }, { port: 80, protocol: tcp }]\n", "loadBalancers[0].listeners[1].port", "duplicate listener 80/TCP (also listeners[0])" },
        { "loadBalancers:\n  - name: web\n    addresses: [127.0.0.10]\n    listeners: [{ port: 80, backends: { address: 127.0.0.1 } }]\n", "loadBalancers[0].listeners[0].backends", "must be a list" },

        // backend
        { Minimal(backend: "{ port: 9001 }"), "loadBalancers[0].listeners[0].backends[0].address", "required" },
        { Minimal(backend: "{ address: 127.0.0.1 }"), "loadBalancers[0].listeners[0].backends[0].port", "required" },
        { Minimal(backend: "{ address: backend.local, port: 9001 }"), "loadBalancers[0].listeners[0].backends[0].address", "must be an IP address (like 127.0.0.1 or ::1)" },
        { Minimal(backend: "{ address: 127.0.0.1, port: 9001, weight: 0 }"), "loadBalancers[0].listeners[0].backends[0].weight", "must be between 1 and 1000" },
        { Minimal(backend: "{ address: 127.0.0.1, port: 9001, wieght: 2 }"), "loadBalancers[0].listeners[0].backends[0].wieght", "unknown key, did you mean weight? (allowed: address, port, weight, name)" },
        { Minimal(backend: "{ address: 127.0.0.1, port: 9001, name: [x] }"), "loadBalancers[0].listeners[0].backends[0].name", "must be a string" },
        { Minimal(backend: "127.0.0.1:9001"), "loadBalancers[0].listeners[0].backends[0]", "must be a mapping with keys address, port, weight, name" },
        { Minimal(backend: "{ address: 127.0.0.1, port: 9001 }\n          - { address: 127.0.0.1, port: 9001, weight: 3 }"), "loadBalancers[0].listeners[0].backends[1]", "duplicate backend 127.0.0.1:9001 (also backends[0])" },

        // health check
        { Minimal(listenerExtra: "healthCheck: { type: icmp }"), "loadBalancers[0].listeners[0].healthCheck.type", "\"icmp\" is not valid; must be one of tcp, http" },
        { Minimal(listenerExtra: "healthCheck: { type: tcp, path: /healthz }"), "loadBalancers[0].listeners[0].healthCheck.path", "applies only to type: http" },
        { Minimal(listenerExtra: "healthCheck: { expectedStatus: 200 }"), "loadBalancers[0].listeners[0].healthCheck.expectedStatus", "applies only to type: http" },
        { Minimal(listenerExtra: "healthCheck: { type: http, path: healthz }"), "loadBalancers[0].listeners[0].healthCheck.path", "must start with '/' and contain no spaces" },
        { Minimal(listenerExtra: "healthCheck: { type: http, expectedStatus: 99 }"), "loadBalancers[0].listeners[0].healthCheck.expectedStatus", "must be between 100 and 599" },
        { Minimal(listenerExtra: "healthCheck: { intervalSeconds: 0 }"), "loadBalancers[0].listeners[0].healthCheck.intervalSeconds", "must be greater than 0 and at most 3600" },
        { Minimal(listenerExtra: "healthCheck: { timeoutSeconds: 4000 }"), "loadBalancers[0].listeners[0].healthCheck.timeoutSeconds", "must be greater than 0 and at most 3600" },
        { Minimal(listenerExtra: "healthCheck: { healthyThreshold: 0 }"), "loadBalancers[0].listeners[0].healthCheck.healthyThreshold", "must be between 1 and 100" },
        { Minimal(listenerExtra: "healthCheck: { unhealthyThreshold: 101 }"), "loadBalancers[0].listeners[0].healthCheck.unhealthyThreshold", "must be between 1 and 100" },
        { Minimal(listenerExtra: "healthCheck: { port: 65536 }"), "loadBalancers[0].listeners[0].healthCheck.port", "must be between 1 and 65535" },
        { Minimal(listenerExtra: "healthCheck: { interval: 1 }"), "loadBalancers[0].listeners[0].healthCheck.interval", "unknown key, did you mean intervalSeconds? (allowed: type, intervalSeconds, timeoutSeconds, healthyThreshold, unhealthyThreshold, port, path, expectedStatus)" },
        { Minimal(listenerExtra: "healthCheck: tcp"), "loadBalancers[0].listeners[0].healthCheck", "must be a mapping with keys type, intervalSeconds, timeoutSeconds, healthyThreshold, unhealthyThreshold, port, path, expectedStatus" },
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Parse_BadValue_ReportsPathAndMessage(string yaml, string path, string message)
    {
        var error = SingleError(yaml);

        Assert.Equal(path, error.Path);
        Assert.Equal(message, error.Message);
        Assert.True(error.Line > 0 && error.Column > 0, $"no position for {error}");
    }

    [Fact]
    public void Parse_DuplicateNames_IsAnError()
    {
        var error = SingleError("""
            loadBalancers:
              - name: web
                addresses: [127.0.0.10]
                listeners: [{ port: 80 }]
              - name: web
                addresses: [127.0.0.11]
                listeners: [{ port: 80 }]
            """);

        Assert.Equal("loadBalancers[1].name: duplicate name \"web\" (also loadBalancers[0])", error.ToString());
        Assert.Equal(5, error.Line);
    }

    [Theory]
    [InlineData("127.0.0.10", "127.0.0.10", "TCP", "TCP", "127.0.0.10:80/TCP clashes with 127.0.0.10:80/TCP of loadBalancers[0]")]
    [InlineData("0.0.0.0", "127.0.0.10", "UDP", "UDP", "127.0.0.10:80/UDP clashes with 0.0.0.0:80/UDP of loadBalancers[0]")]
    public void Parse_TwoLoadBalancersOnOneSocket_IsAnError(string first, string second, string firstProtocol, string secondProtocol, string message)
    {
        var error = SingleError($"""
            loadBalancers:
              - name: a
                addresses: [{first}]
                listeners: [{"{"} port: 80, protocol: {firstProtocol} {"}"}]
              - name: b
                addresses: [{second}]
                listeners: [{"{"} port: 80, protocol: {secondProtocol} {"}"}]
            """);

        Assert.Equal("loadBalancers[1].listeners[0].port", error.Path);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Parse_SamePortDifferentProtocolOrAddress_IsFine()
    {
        var result = StandaloneConfigParser.Parse("""
            loadBalancers:
              - name: a
                addresses: [127.0.0.10]
                listeners: [{ port: 53, protocol: TCP }, { port: 53, protocol: UDP }]
              - name: b
                addresses: [127.0.0.11, "::1"]
                listeners: [{ port: 53 }]
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(2, result.LoadBalancers.Count);
    }

    [Fact]
    public void Parse_ManyProblems_ReportsEveryOneInDocumentOrder()
    {
        var result = StandaloneConfigParser.Parse("""
            loadBalancers:
              - name: web
                addresses: [nowhere]
                algorithm: fastest
                listeners:
                  - port: 0
                    backends: [{ address: 127.0.0.1, port: 9001, weight: -2 }]
              - name: ok
                addresses: [127.0.0.12]
                listeners: [{ port: 80 }]
              - name: api
                addresses: [127.0.0.13]
                listeners: [{ port: 80, protocol: QUIC }]
            """);

        Assert.False(result.IsValid);
        Assert.Empty(result.LoadBalancers);
        Assert.Equal(
            [
                "loadBalancers[0].addresses[0]",
                "loadBalancers[0].algorithm",
                "loadBalancers[0].listeners[0].port",
                "loadBalancers[0].listeners[0].backends[0].weight",
                "loadBalancers[2].listeners[0].protocol",
            ],
            result.Errors.Select(e => e.Path));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ferry.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Ferry.slnx not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Parse_DataPlaneKey_IsReadWhenPresent_AbsentWhenNot_AndAnUnknownNameIsAnError()
    {
        var kernel = StandaloneConfigParser.Parse("dataPlane: kernel\n" + Minimal());
        Assert.True(kernel.IsValid, string.Join("\n", kernel.Errors));
        Assert.Equal(DataPlaneMode.Kernel, kernel.DataPlane);
        Assert.Null(StandaloneConfigParser.Parse(Minimal()).DataPlane);

        var error = SingleError("dataPlane: ebpf\n" + Minimal());
        Assert.Equal("dataPlane", error.Path);
        Assert.Contains("auto, userspace, kernel", error.Message, StringComparison.Ordinal);
    }
}
