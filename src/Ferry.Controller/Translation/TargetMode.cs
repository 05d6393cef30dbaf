namespace Ferry.Controller.Translation;

/// <summary>Where a Service's traffic is sent.</summary>
public enum TargetMode
{
    /// <summary>Each eligible node's NodePort, as cloud load balancers do; kube-proxy takes it from there.</summary>
    Nodes,

    /// <summary>The ready endpoints of the Service's EndpointSlices, directly (no kube-proxy needed).</summary>
    Endpoints,
}
