using System.Net;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.ApiServer.Tests;

/// <summary>An embedded API server on a random loopback port with its own temporary data directory.</summary>
internal sealed class TestApiServer : IAsyncDisposable
{
    private readonly bool _ownsDirectory;

    private TestApiServer(ApiServerHandle handle, string dataDirectory, bool ownsDirectory)
    {
        Handle = handle;
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(handle.KubeconfigPath));
    }

    public ApiServerHandle Handle { get; }

    public string DataDirectory { get; }

    public Kubernetes Client { get; }

    public static string NewDataDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ferry-api-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Starts a server; a given <paramref name="dataDirectory"/> is kept afterwards unless <paramref name="deleteDirectory"/>.</summary>
    public static async Task<TestApiServer> StartAsync(string? dataDirectory = null, Func<ApiServerOptions, ApiServerOptions>? configure = null, TimeProvider? timeProvider = null, bool deleteDirectory = false)
    {
        var owns = dataDirectory is null || deleteDirectory;
        var dir = dataDirectory ?? NewDataDirectory();
        var options = new ApiServerOptions { DataDirectory = dir, Listen = new IPEndPoint(IPAddress.Loopback, 0) };
        if (configure is not null)
        {
            options = configure(options);
        }

        var handle = await ApiServerHost.StartAsync(options, NullLoggerFactory.Instance, timeProvider ?? TimeProvider.System, TestContext.Current.CancellationToken);
        return new TestApiServer(handle, dir, owns);
    }

    /// <summary>An HttpClient that trusts the server's certificate and sends the token (for raw-protocol checks).</summary>
    public HttpClient RawClient(bool withToken = true)
    {
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        var http = new HttpClient(handler) { BaseAddress = Handle.Url };
        if (withToken)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Handle.Token);
        }

        return http;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Handle.DisposeAsync();
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
