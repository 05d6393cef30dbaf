using System.Text;

namespace Ferry.ApiServer.Hosting;

/// <summary>Writes the kubeconfigs clients use: the server URL, the CA (the self-signed certificate) and a token.</summary>
internal static class KubeconfigWriter
{
    public const string FileName = "kubeconfig";

    /// <summary>Writes a kubeconfig (mode 0600) at <paramref name="path"/> for <paramref name="token"/>, naming its user <paramref name="userName"/>.</summary>
    public static string Write(string path, Uri server, string caPem, string token, string userName)
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
            - name: {userName}
              user:
                token: {token}
            contexts:
            - name: ferry
              context:
                cluster: ferry
                user: {userName}
                namespace: default
            current-context: ferry

            """;
        ServerCertificate.WritePrivate(path, Encoding.UTF8.GetBytes(text));
        return path;
    }
}
