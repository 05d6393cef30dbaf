using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Http;

/// <summary>The <c>/version</c> answer. Minor 32 (the default) makes gcloud's kubectl dispatcher run its built-in 1.32 client.</summary>
internal static class VersionInfo
{
    public static JsonObject Document(KubernetesVersion version) => new()
    {
        ["major"] = "1",
        ["minor"] = version.MinorText,
        ["gitVersion"] = version.GitVersion,
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.23.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/" + (RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64"),
    };
}
