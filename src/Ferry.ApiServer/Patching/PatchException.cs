namespace Ferry.ApiServer.Patching;

/// <summary>A patch could not be applied; <see cref="Kind"/> tells which HTTP status upstream would answer.</summary>
public sealed class PatchException : Exception
{
    public PatchException()
        : this("the patch could not be applied")
    {
    }

    public PatchException(string message)
        : this(message, PatchErrorKind.Invalid)
    {
    }

    public PatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = PatchErrorKind.Invalid;
    }

    public PatchException(string message, PatchErrorKind kind)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>How kube-apiserver would classify this failure.</summary>
    public PatchErrorKind Kind { get; }
}
