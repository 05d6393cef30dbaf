using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Strategies;

/// <summary>The apps kinds (Deployment): a new object starts with an empty status, as kube-apiserver's strategies reset it.</summary>
internal sealed class WorkloadKindStrategy : KindStrategy
{
    public override void PrepareForCreate(JsonObject obj) => obj["status"] = new JsonObject();
}
