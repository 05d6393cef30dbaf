using System.Net;

namespace Ferry.Membership;

/// <summary>
/// A replica found through discovery (the caller's, e.g. per-replica Lease objects in the API): its name
/// (the node name) and the UDP endpoint its membership listens on.
/// </summary>
public sealed record PeerAddress(string Name, IPEndPoint Endpoint);
