using System.Text;

namespace Ferry.ApiServer.Hosting;

/// <summary>Writes the kubeconfig clients use: the server URL, the CA (the self-signed certificate) and the token.</summary>
internal static class KubeconfigWriter
{
    public const string FileName = "kubeconfig";

    public static string Write(string dataDirectory, Uri server, string caPem, string token)
    {
        var ca = Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem));
        var text = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: ferry
              cluster:
                server: {server.GetLeftPart(UriPartial.Authority)}
                certificate-authority-data: {ca}
            users:
            - name: ferry-admin
              user:
                token: {token}
            contexts:
            - name: ferry
              context:
                cluster: ferry
                user: ferry-admin
                namespace: default
            current-context: ferry

            """;
        var path = Path.Combine(dataDirectory, FileName);
        ServerCertificate.WritePrivate(path, Encoding.UTF8.GetBytes(text));
        return path;
    }
}
