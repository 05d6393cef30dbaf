using System.Text.Json.Nodes;
using Ferry.Controller.Pools;

namespace Ferry.Controller.Tests.Pools;

/// <summary>MetalLB's IPAddressPool and L2Advertisement read as Ferry's pools, with manifests as MetalLB's documentation writes them.</summary>
public class MetalLbTranslationTests
{
    private static JsonObject Yaml(string yaml) => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(
        new YamlDotNet.Serialization.DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().Build().Deserialize<object>(yaml)))!.AsObject();

    private static readonly JsonObject _firstPool = Yaml("""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata:
          name: first-pool
          namespace: metallb-system
        spec:
          addresses:
          - 192.0.2.240-192.0.2.250
          - 198.51.100.0/24
        """);

    [Fact]
    public void Pool_WithAnL2AdvertisementForAll_IsAnnouncedOnLayer2_AndHandsOutEveryAddressAsMetalLbDoes()
    {
        var advertisement = Yaml("""
            apiVersion: metallb.io/v1beta1
            kind: L2Advertisement
            metadata:
              name: example
              namespace: metallb-system
            """);

        var translation = MetalLbTranslation.From([_firstPool], [advertisement], []);

        var pool = Assert.Single(translation.Pools);
        Assert.True(pool.IsValid, string.Join("; ", pool.Errors));
        Assert.Equal("first-pool", pool.Name);
        Assert.Equal(["192.0.2.240-192.0.2.250", "198.51.100.0/24"], pool.Pool.Ranges.Select(r => r.ToString()));
        Assert.True(pool.Pool.AutoAssign);
        Assert.True(pool.Pool.IncludeNetworkAndBroadcast);
        Assert.Equal((UInt128)(11 + 256), pool.Pool.Capacity);
        Assert.True(pool.Announcement.IsAnnounced);
        Assert.Empty(pool.Announcement.Interfaces);
        Assert.Empty(translation.Unsupported);
    }

    [Fact]
    public void Pool_NoAdvertisementSelectsIt_IsNotAnnounced_AndAvoidBuggyIpsAutoAssignNamespacesAndPriorityCarryOver()
    {
        var pool = Yaml("""
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata:
              name: production
              namespace: metallb-system
            spec:
              addresses:
              - 203.0.113.0/24
              autoAssign: false
              avoidBuggyIPs: true
              serviceAllocation:
                priority: 50
                namespaces:
                  - namespace-a
            """);
        var other = Yaml("""
            apiVersion: metallb.io/v1beta1
            kind: L2Advertisement
            metadata:
              name: only-first
              namespace: metallb-system
            spec:
              ipAddressPools:
              - first-pool
              interfaces:
              - eth1
            """);

        var translation = MetalLbTranslation.From([pool, _firstPool], [other], []);

        var production = translation.Pools.Single(p => p.Name == "production");
        Assert.False(production.Pool!.AutoAssign);
        Assert.True(production.Pool.AvoidBuggyIps);
        Assert.Equal((UInt128)254, production.Pool.Capacity);
        Assert.Equal(["namespace-a"], production.Pool.Namespaces);
        Assert.False(production.Announcement!.IsAnnounced);
        Assert.Equal(50, translation.Priorities["production"]);
        var first = translation.Pools.Single(p => p.Name == "first-pool");
        Assert.Equal(["eth1"], first.Announcement!.Interfaces);
    }

    [Fact]
    public void Unsupported_BgpObjectsNodeSelectorsAndServiceSelectors_AreSaid_AndASelectorPoolHandsOutNothing()
    {
        var peer = Yaml("""
            apiVersion: metallb.io/v1beta2
            kind: BGPPeer
            metadata:
              name: sample
              namespace: metallb-system
            spec:
              myASN: 64500
              peerASN: 64501
              peerAddress: 10.0.0.1
            """);
        var advertisement = Yaml("""
            apiVersion: metallb.io/v1beta1
            kind: L2Advertisement
            metadata:
              name: pinned
              namespace: metallb-system
            spec:
              nodeSelectors:
              - matchLabels:
                  kubernetes.io/hostname: node-a
            """);
        var selective = Yaml("""
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata:
              name: selective
              namespace: metallb-system
            spec:
              addresses: [203.0.113.0/28]
              serviceAllocation:
                serviceSelectors:
                - matchLabels:
                    tier: web
            """);

        var translation = MetalLbTranslation.From([selective], [advertisement], [peer]);

        Assert.Empty(translation.Pools);
        Assert.Equal(
            [
                "BGPPeer metallb-system/sample: BGP is not supported yet; the pools it advertises are announced only if an L2Advertisement selects them",
                "L2Advertisement metallb-system/pinned: nodeSelectors are not supported; every replica may announce its pools",
                "IPAddressPool metallb-system/selective: serviceAllocation.namespaceSelectors and serviceSelectors are not supported; the pool hands out no address",
            ],
            translation.Unsupported);
    }

    [Fact]
    public void Advertisement_WithPoolSelectors_SelectsPoolsByLabel()
    {
        var labelled = Yaml("""
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata:
              name: labelled
              namespace: metallb-system
              labels:
                zone: east
            spec:
              addresses: [203.0.113.0/28]
            """);
        var advertisement = Yaml("""
            apiVersion: metallb.io/v1beta1
            kind: L2Advertisement
            metadata:
              name: east
              namespace: metallb-system
            spec:
              ipAddressPoolSelectors:
              - matchLabels:
                  zone: east
            """);

        var translation = MetalLbTranslation.From([labelled, _firstPool], [advertisement], []);

        Assert.True(translation.Pools.Single(p => p.Name == "labelled").Announcement!.IsAnnounced);
        Assert.False(translation.Pools.Single(p => p.Name == "first-pool").Announcement!.IsAnnounced);
    }
}
