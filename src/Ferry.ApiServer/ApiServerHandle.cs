using Ferry.ApiServer.Hosting;

namespace Ferry.ApiServer;

/// <summary>A running embedded API server. Dispose to stop it (watches are closed, state stays on disk).</summary>
public sealed class ApiServerHandle : IAsyncDisposable
{
    private readonly Func<ValueTask> _stop;
    private readonly string _caPem;
    private int _disposed;

    internal ApiServerHandle(Uri url, string kubeconfigPath, string token, string caCertificatePath, string caPem, Func<ValueTask> stop)
    {
        _caPem = caPem;
        Url = url;
        KubeconfigPath = kubeconfigPath;
        Token = token;
        CaCertificatePath = caCertificatePath;
        _stop = stop;
    }

    /// <summary>The HTTPS URL clients use, with the bound port (e.g. <c>https://127.0.0.1:6443</c>).</summary>
    public Uri Url { get; }

    /// <summary>The bound port (useful when <see cref="ApiServerOptions.Listen"/> asked for port 0).</summary>
    public int Port => Url.Port;

    /// <summary>The kubeconfig written to the data directory (server, CA data, token).</summary>
    public string KubeconfigPath { get; }

    /// <summary>The bearer token clients must send.</summary>
    public string Token { get; }

    /// <summary>The PEM file of the self-signed serving certificate (also the CA).</summary>
    public string CaCertificatePath { get; }

    /// <summary>
    /// Writes a kubeconfig like <see cref="KubeconfigPath"/>'s (this server, its CA, context <c>ferry</c>, namespace
    /// <c>default</c>) that authenticates with <paramref name="token"/>, e.g. a user of
    /// <see cref="ApiServerOptions.TokenAuthFile"/>; returns <paramref name="path"/>.
    /// </summary>
    /// <param name="path">Where to write it (mode 0600; the directory must exist).</param>
    /// <param name="token">The bearer token the kubeconfig sends.</param>
    /// <param name="userName">The name of the kubeconfig's user entry.</param>
    public string WriteKubeconfig(string path, string token, string userName = "ferry-user")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(token);
        ArgumentException.ThrowIfNullOrEmpty(userName);
        return KubeconfigWriter.Write(Path.GetFullPath(path), Url, _caPem, token, userName);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _stop();
        }
    }
}
