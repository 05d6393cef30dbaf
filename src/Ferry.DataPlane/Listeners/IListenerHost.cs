using Ferry.Contracts;
using Ferry.DataPlane.Flows;

namespace Ferry.DataPlane.Listeners;

/// <summary>One socket of a listener: a protocol and port on one address.</summary>
internal interface IListenerHost : IEntryPoint
{

    /// <summary>What <see cref="LoadBalancerStatus"/> reports for this socket.</summary>
    ListenerStatus Status { get; }

    /// <summary>Binds and starts accepting or receiving; a bind failure is recorded in <see cref="Status"/>, not thrown.</summary>
    void Start();

    /// <summary>Stops accepting new connections or datagrams; existing TCP connections go on (they drain).</summary>
    void Stop();
}
