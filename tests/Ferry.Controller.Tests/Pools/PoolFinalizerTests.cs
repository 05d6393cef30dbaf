using Ferry.Contracts;
using Ferry.Controller.Pools;
using static Ferry.Controller.Tests.Pools.PoolObjects;

namespace Ferry.Controller.Tests.Pools;

public class PoolFinalizerTests
{
    [Fact]
    public void NeedsAdding_OnlyALivePoolWithoutIt()
    {
        Assert.True(PoolFinalizer.NeedsAdding(Resource("a", ["192.0.2.0/24"], finalizers: [])));
        Assert.False(PoolFinalizer.NeedsAdding(Resource("a", ["192.0.2.0/24"])));
        Assert.False(PoolFinalizer.NeedsAdding(Resource("a", ["192.0.2.0/24"], deleting: true, finalizers: [])));
        Assert.Equal("ferry.dev/address-pool-protection", PoolFinalizer.Name);
    }

    [Fact]
    public void MayRemove_NotWhileAServiceHoldsAnAddressOfIt()
    {
        var pool = Resource("old", ["192.0.2.0/24", "2001:db8::/64"], deleting: true);

        Assert.False(PoolFinalizer.MayRemove(pool, [Held("default/web", "old", "2001:db8::7")]));
        Assert.False(PoolFinalizer.MayRemove(pool, [Kept("default/web", "192.0.2.7")]));
        Assert.Equal([new ServiceKey("default", "web")], PoolFinalizer.Holders(pool, [Kept("default/web", "192.0.2.7")]));
    }

    [Fact]
    public void MayRemove_OnceNoOneHoldsItsAddresses_OrOnlyAnotherPoolDoes()
    {
        var pool = Resource("old", ["192.0.2.0/24"], deleting: true);

        Assert.True(PoolFinalizer.MayRemove(pool, []));
        Assert.True(PoolFinalizer.MayRemove(pool, [Kept("default/web", "198.51.100.7")]));
        Assert.True(PoolFinalizer.MayRemove(pool, [Held("default/web", "replacement", "192.0.2.7")]));
    }

    [Fact]
    public void MayRemove_NeverForALivePoolOrOneWithoutTheFinalizer()
    {
        Assert.False(PoolFinalizer.MayRemove(Resource("a", ["192.0.2.0/24"]), []));
        Assert.False(PoolFinalizer.MayRemove(Resource("a", ["192.0.2.0/24"], deleting: true, finalizers: ["other/x"]), []));
    }

    [Fact]
    public void MayRemove_AnInvalidPool_StillGuardsTheRangesThatParsed()
    {
        var pool = AddressPoolResource.Parse(Json("bad", ["192.0.2.0/24", "oops"], deleting: true, finalizers: [PoolFinalizer.Name]));

        Assert.False(PoolFinalizer.MayRemove(pool, [Kept("default/web", "192.0.2.7")]));
    }
}
