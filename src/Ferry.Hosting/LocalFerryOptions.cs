using System.Net;
using Ferry.Ipam;

namespace Ferry.Hosting;

/// <summary>Settings of <c>ferry up</c>: everything in one process on one machine.</summary>
public sealed record LocalFerryOptions
{
    /// <summary>The default pool: loopback addresses, local on Linux with no privileges needed.</summary>
    public const string DefaultPool = "127.241.0.0/24";

    public required string DataDirectory { get; init; }

    public IPEndPoint ApiListen { get; init; } = new(IPAddress.Loopback, 6443);

    public IReadOnlyList<AddressPool> Pools { get; init; } = [new AddressPool("default", [AddressRange.Parse(DefaultPool)])];

    /// <summary>The admin endpoint (<c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>); null serves none.</summary>
    public IPEndPoint? AdminListen { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
