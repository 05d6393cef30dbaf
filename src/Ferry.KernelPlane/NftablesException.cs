namespace Ferry.KernelPlane;

/// <summary>nftables refused a transaction (nothing of it was applied) or cannot be used here; the message is nft's own.</summary>
public sealed class NftablesException : Exception
{
    public NftablesException(string message)
        : base(message)
    {
    }

    public NftablesException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public NftablesException()
    {
    }
}
