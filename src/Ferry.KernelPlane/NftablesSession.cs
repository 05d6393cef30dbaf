using System.Runtime.InteropServices;
using Ferry.KernelPlane.Native;

namespace Ferry.KernelPlane;

/// <summary>
/// One libnftables context: runs nft command buffers in process, each as one atomic transaction (no <c>nft</c>
/// subprocess per change). Needs libnftables1 and CAP_NET_ADMIN in the network namespace it runs in; not
/// thread-safe (one caller at a time).
/// </summary>
public sealed class NftablesSession : IDisposable
{
    private IntPtr _context;

    private NftablesSession(IntPtr context) => _context = context;

    /// <summary>Opens a context; <see cref="NftablesException"/> when libnftables is not installed.</summary>
    public static NftablesSession Open()
    {
        IntPtr context;
        try
        {
            context = LibNftables.ContextNew(LibNftables.DefaultFlags);
        }
        catch (DllNotFoundException ex)
        {
            throw new NftablesException("libnftables is not installed (Debian: apt-get install libnftables1)", ex);
        }

        if (context == IntPtr.Zero || LibNftables.BufferOutput(context) != 0 || LibNftables.BufferError(context) != 0)
        {
            if (context != IntPtr.Zero)
            {
                LibNftables.ContextFree(context);
            }

            throw new NftablesException("libnftables could not create a context");
        }

        return new NftablesSession(context);
    }

    /// <summary>Whether libnftables can be loaded here (it says nothing of the privilege).</summary>
    public static bool IsInstalled => NativeLibrary.TryLoad("libnftables.so.1", out var handle) && Free(handle);

    /// <summary>Runs <paramref name="commands"/> (nft syntax, several lines) as one transaction and returns nft's output.</summary>
    /// <exception cref="NftablesException">nft refused it (nothing was applied); the message is nft's error text.</exception>
    public string Run(string commands)
    {
        ObjectDisposedException.ThrowIf(_context == IntPtr.Zero, this);
        var result = LibNftables.RunCommand(_context, commands);
        var output = Marshal.PtrToStringUTF8(LibNftables.GetOutputBuffer(_context)) ?? string.Empty;
        if (result != 0)
        {
            var error = Marshal.PtrToStringUTF8(LibNftables.GetErrorBuffer(_context)) ?? string.Empty;
            throw new NftablesException(error.Length > 0 ? error.Trim() : $"nft failed ({result})");
        }

        return output;
    }

    /// <summary>
    /// Runs <paramref name="commands"/> with JSON output (nft's <c>-j</c>), for list commands read by a program, and
    /// returns the JSON text. Scripts in nft syntax are accepted as with <see cref="Run"/>.
    /// </summary>
    /// <exception cref="NftablesException">nft refused it; the message is nft's error text.</exception>
    public string RunJson(string commands)
    {
        ObjectDisposedException.ThrowIf(_context == IntPtr.Zero, this);
        var flags = LibNftables.GetOutputFlags(_context);
        LibNftables.SetOutputFlags(_context, flags | LibNftables.OutputJson);
        try
        {
            return Run(commands);
        }
        finally
        {
            LibNftables.SetOutputFlags(_context, flags);
        }
    }

    public void Dispose()
    {
        if (_context != IntPtr.Zero)
        {
            LibNftables.ContextFree(_context);
            _context = IntPtr.Zero;
        }
    }

    private static bool Free(IntPtr handle)
    {
        NativeLibrary.Free(handle);
        return true;
    }
}
