using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ferry.ApiServer.Hosting;

/// <summary>
/// The self-signed serving certificate, made on first start and kept in the data directory
/// (<c>tls.pfx</c> for the server, <c>ca.crt</c> for clients) so kubeconfigs stay valid across restarts.
/// It is its own CA: the kubeconfig's <c>certificate-authority-data</c> holds it.
/// </summary>
internal static class ServerCertificate
{
    public const string PfxFile = "tls.pfx";
    public const string CaFile = "ca.crt";

    /// <summary>Loads the certificate, or creates it when missing or when it does not cover <paramref name="address"/>.</summary>
    public static X509Certificate2 LoadOrCreate(string dataDirectory, IPAddress address, TimeProvider time)
    {
        var pfx = Path.Combine(dataDirectory, PfxFile);
        if (File.Exists(pfx))
        {
            var existing = X509CertificateLoader.LoadPkcs12FromFile(pfx, null, X509KeyStorageFlags.Exportable);
            if (Covers(existing, address) && existing.NotAfter.ToUniversalTime() > time.GetUtcNow().UtcDateTime.AddDays(1))
            {
                return existing;
            }

            existing.Dispose();
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ferry-apiserver", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddDnsName("ferry-apiserver");
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        if (!address.Equals(IPAddress.Loopback) && !address.Equals(IPAddress.IPv6Loopback) && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any))
        {
            san.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        var bytes = created.Export(X509ContentType.Pkcs12);
        WritePrivate(pfx, bytes);
        File.WriteAllText(Path.Combine(dataDirectory, CaFile), created.ExportCertificatePem());
        return X509CertificateLoader.LoadPkcs12(bytes, null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>Writes a file readable only by the owner (it holds a private key or a token).</summary>
    internal static void WritePrivate(string path, byte[] bytes)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static bool Covers(X509Certificate2 cert, IPAddress address)
    {
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || IPAddress.IsLoopback(address) && (address.Equals(IPAddress.Loopback) || address.Equals(IPAddress.IPv6Loopback)))
        {
            return true;
        }

        foreach (var ext in cert.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            if (ext.EnumerateIPAddresses().Any(a => a.Equals(address)))
            {
                return true;
            }
        }

        return false;
    }
}
