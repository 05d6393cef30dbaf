using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;

namespace Ferry.ApiServer.Strategies;

/// <summary>
/// EndpointSlices and core Endpoints: accepted as generic objects, plus a <c>Warning</c> for every loopback address
/// a real cluster would refuse (<see cref="LoopbackEndpointWarnings"/>).
/// </summary>
/// <param name="slices">True for <c>discovery.k8s.io</c> EndpointSlices, false for core Endpoints.</param>
internal sealed class EndpointsKindStrategy(bool slices) : KindStrategy
{
    private readonly bool _slices = slices;

    public override IReadOnlyList<string> Warnings(JsonObject obj, bool status) =>
        _slices ? LoopbackEndpointWarnings.ForEndpointSlice(obj) : LoopbackEndpointWarnings.ForEndpoints(obj);
}
