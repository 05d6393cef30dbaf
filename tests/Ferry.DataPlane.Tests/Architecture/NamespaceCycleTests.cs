using Ferry.DataPlane.Forwarding;

namespace Ferry.DataPlane.Tests.Architecture;

/// <summary>The folders (namespaces) of the data plane depend on each other in one direction only.</summary>
public class NamespaceCycleTests
{
    [Fact]
    public void DataPlane_Namespaces_HaveNoCycle()
    {
        var graph = NamespaceGraph.Of(typeof(DataPlaneProvider).Assembly, "Ferry.DataPlane");

        Assert.True(graph.Uses("Ferry.DataPlane").Any(), "the graph is empty: the reader found no references");
        var cycle = graph.FindCycle();
        Assert.True(cycle.Count == 0, "namespaces of Ferry.DataPlane form a cycle:\n" + string.Join("\n", cycle));
    }

    [Fact]
    public void FindCycle_ThreeNamespacesInACircle_ReportsEachEdge()
    {
        var graph = new NamespaceGraph();
        graph.Add("A", "B", "A.X uses B.Y");
        graph.Add("B", "C", "B.Y uses C.Z");
        graph.Add("C", "A", "C.Z uses A.X");
        graph.Add("A", "D", "A.X uses D.W");

        Assert.Equal(["A → B: A.X uses B.Y", "B → C: B.Y uses C.Z", "C → A: C.Z uses A.X"], graph.FindCycle());
    }

    [Fact]
    public void FindCycle_Layers_ReportsNothing()
    {
        var graph = new NamespaceGraph();
        graph.Add("A", "B", "A.X uses B.Y");
        graph.Add("A", "C", "A.X uses C.Z");
        graph.Add("B", "C", "B.Y uses C.Z");

        Assert.Empty(graph.FindCycle());
    }

    [Fact]
    public void Of_DataPlane_SeesReferencesFromMethodBodies()
    {
        // TcpListenerHost creates TcpConnection only inside a method body (no field or signature names it).
        var graph = NamespaceGraph.Of(typeof(TcpConnection).Assembly, "Ferry.DataPlane");

        Assert.Contains("Ferry.DataPlane.Forwarding", graph.Uses("Ferry.DataPlane.Listeners"));
    }
}
