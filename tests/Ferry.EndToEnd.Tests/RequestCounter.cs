namespace Ferry.EndToEnd.Tests;

/// <summary>Counts the requests a Kubernetes client sends that match a method and a path ending (e.g. PATCH <c>/status</c>).</summary>
internal sealed class RequestCounter(HttpMethod method, string pathSuffix) : DelegatingHandler
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method == method && request.RequestUri?.AbsolutePath.EndsWith(pathSuffix, StringComparison.Ordinal) == true)
        {
            Interlocked.Increment(ref _count);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
