using System.Net;

namespace Ferry.DataPlane.Flows;

/// <summary>
/// One listening socket (an address and port of a listener) as the flows that came in through it see
/// it. Flows keep theirs, so a socket that closes drains exactly its own flows.
/// </summary>
internal interface IEntryPoint
{
    IPEndPoint EndPoint { get; }
}
