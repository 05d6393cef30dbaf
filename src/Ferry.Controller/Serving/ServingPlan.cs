using System.Net;
using Ferry.Contracts;

namespace Ferry.Controller.Serving;

/// <summary>Who owns every announced address, computed the same way on every replica (<see cref="ServingPlanner"/>).</summary>
public sealed class ServingPlan
{
    public static readonly ServingPlan Empty = new(new Dictionary<IPAddress, AddressAssignment>());

    public ServingPlan(IReadOnlyDictionary<IPAddress, AddressAssignment> addresses) => Addresses = addresses;

    /// <summary>Every announced address of a served Service.</summary>
    public IReadOnlyDictionary<IPAddress, AddressAssignment> Addresses { get; }

    /// <summary>The addresses <paramref name="replica"/> owns.</summary>
    public IEnumerable<AddressAssignment> OwnedBy(string replica) => Addresses.Values.Where(a => a.Owner == replica);

    /// <summary>The owner of an address in this plan, or null (no owner, or not announced).</summary>
    public string? OwnerOf(IPAddress address) => Addresses.GetValueOrDefault(address)?.Owner;

    /// <summary>The Service's addresses <paramref name="replica"/> owns.</summary>
    public IEnumerable<IPAddress> AddressesOf(ServiceKey service, string replica) =>
        Addresses.Values.Where(a => a.Owner == replica && a.Services.Contains(service)).Select(a => a.Address);
}
