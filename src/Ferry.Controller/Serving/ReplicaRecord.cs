namespace Ferry.Controller.Serving;

/// <summary>A replica as it publishes itself in its Lease (<see cref="ReplicaDirectory"/>).</summary>
/// <param name="Name">Its name: the node it runs on.</param>
/// <param name="HeartbeatEndpoint">Where it hears heartbeats, <c>address:port</c> on the node network.</param>
/// <param name="ConfigDigest">A digest of its pools file: replicas that disagree on pools would disagree on owners.</param>
/// <param name="HardwareAddresses">Its interfaces' MACs (<c>aa:bb:cc:dd:ee:ff</c>), so an answer from a peer is not taken for a conflict.</param>
public sealed record ReplicaRecord(string Name, string HeartbeatEndpoint, string ConfigDigest, IReadOnlyList<string> HardwareAddresses);
