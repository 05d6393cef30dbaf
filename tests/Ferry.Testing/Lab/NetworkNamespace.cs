using System.ComponentModel;
using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;

namespace Ferry.Testing.Lab;

/// <summary>
/// Creates objects (sockets) inside a named network namespace from this process. Linux keeps the network
/// namespace per thread, and a socket belongs for life to the namespace it was created in, so
/// <see cref="Run{T}"/> runs its delegate on a fresh thread that first enters <c>/run/netns/NAME</c>
/// (<c>setns(CLONE_NEWNET)</c>) and then ends; the socket it returns can be used from any thread with
/// async I/O. Never call anything that starts work on the thread pool and expects the namespace there:
/// only what the delegate does on its own thread happens inside.
/// </summary>
public static class NetworkNamespace
{
    /// <summary>Runs <paramref name="create"/> inside namespace <paramref name="name"/> (as created by <c>ip netns add</c>) and returns its result.</summary>
    /// <exception cref="Win32Exception">The namespace cannot be entered (missing, or not root).</exception>
    public static T Run<T>(string name, Func<T> create)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(create);
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using (SafeFileHandle handle = File.OpenHandle(Path.Combine("/run/netns", name)))
                {
                    if (LibC.SetNs((int)handle.DangerousGetHandle(), LibC.CloneNewNet) != 0)
                    {
                        throw new Win32Exception($"setns into network namespace {name} failed");
                    }
                }

                result = create();
            }
#pragma warning disable CA1031 // rethrown on the caller's thread
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "netns " + name,
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
