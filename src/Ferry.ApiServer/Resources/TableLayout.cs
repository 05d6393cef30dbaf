namespace Ferry.ApiServer.Resources;

/// <summary>Which server-side printer renders a kind for <c>kubectl get</c>.</summary>
internal enum TableLayout
{
    /// <summary>NAME and AGE only.</summary>
    NameAge,

    /// <summary>kube-apiserver's Service columns.</summary>
    Service,

    /// <summary>kube-apiserver's Event columns.</summary>
    Event,

    /// <summary>NAME, STATUS, AGE.</summary>
    Namespace,

    /// <summary>kube-apiserver's Node columns.</summary>
    Node,

    /// <summary>kube-apiserver's Deployment columns.</summary>
    Deployment,

    /// <summary>kube-apiserver's EndpointSlice columns.</summary>
    EndpointSlice,

    /// <summary>NAME and CREATED AT (an RFC 3339 time): the default columns upstream gives CustomResourceDefinitions.</summary>
    NameCreatedAt,

    /// <summary>A custom resource's <c>additionalPrinterColumns</c> (<see cref="ResourceType.Custom"/>).</summary>
    Custom,
}
