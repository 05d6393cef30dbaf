using System.Runtime.InteropServices;

namespace Ferry.KernelPlane.Native;

/// <summary>
/// libnftables (Debian's <c>libnftables1</c>): nft's own command interpreter as a library, called in process.
/// A whole buffer of commands is one netlink batch, so it applies atomically or not at all.
/// </summary>
internal static partial class LibNftables
{
    private const string Library = "libnftables.so.1";

    /// <summary><c>NFT_CTX_DEFAULT</c>.</summary>
    public const uint DefaultFlags = 0;

    [LibraryImport(Library, EntryPoint = "nft_ctx_new")]
    public static partial IntPtr ContextNew(uint flags);

    [LibraryImport(Library, EntryPoint = "nft_ctx_free")]
    public static partial void ContextFree(IntPtr context);

    /// <summary>Collects nft's output in a buffer instead of printing it (0 on success).</summary>
    [LibraryImport(Library, EntryPoint = "nft_ctx_buffer_output")]
    public static partial int BufferOutput(IntPtr context);

    /// <summary>Collects nft's error messages in a buffer instead of printing them (0 on success).</summary>
    [LibraryImport(Library, EntryPoint = "nft_ctx_buffer_error")]
    public static partial int BufferError(IntPtr context);

    [LibraryImport(Library, EntryPoint = "nft_ctx_get_output_buffer")]
    public static partial IntPtr GetOutputBuffer(IntPtr context);

    [LibraryImport(Library, EntryPoint = "nft_ctx_get_error_buffer")]
    public static partial IntPtr GetErrorBuffer(IntPtr context);

    /// <summary><c>NFT_CTX_OUTPUT_JSON</c>: list commands answer in nft's JSON schema.</summary>
    public const uint OutputJson = 1 << 4;

    [LibraryImport(Library, EntryPoint = "nft_ctx_output_get_flags")]
    public static partial uint GetOutputFlags(IntPtr context);

    [LibraryImport(Library, EntryPoint = "nft_ctx_output_set_flags")]
    public static partial void SetOutputFlags(IntPtr context, uint flags);

    /// <summary>Runs a buffer of commands as one transaction; 0 on success.</summary>
    [LibraryImport(Library, EntryPoint = "nft_run_cmd_from_buffer", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RunCommand(IntPtr context, string buffer);
}
