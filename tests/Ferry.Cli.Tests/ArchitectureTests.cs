using System.Reflection;
using System.Xml.Linq;

namespace Ferry.Cli.Tests;

/// <summary>
/// The product as shipped: <c>ferry</c> is a thin shell over Ferry.Hosting, and every source-generated
/// log event has an id of its own, in its assembly's block.
/// </summary>
public class ArchitectureTests
{
    /// <summary>Each Ferry assembly's block of log event ids (docs/architecture.md, "Logging").</summary>
    private static readonly (string Assembly, int First, int Last)[] _eventIdBlocks =
    [
        ("Ferry.ApiServer", 1000, 1999),
        ("Ferry.Controller", 2000, 2999),
        ("Ferry.DataPlane", 3000, 3999),
        ("Ferry.Ipam", 4000, 4999),
        ("Ferry.Hosting", 5000, 5999),
        ("Ferry.Standalone", 6000, 6999),
        ("ferry", 7000, 7999),
        ("Ferry.Configuration", 8000, 8499),
        ("Ferry.Announcement", 8500, 8599),
        ("Ferry.Membership", 8600, 8699),
        ("Ferry.KernelPlane", 8700, 8799),
        ("Ferry.Contracts", 0, -1), // logs nothing
    ];

    /// <summary>The CLI builds nothing itself: the only projects it references are Hosting (and Standalone, for <c>proxy --check</c>).</summary>
    [Fact]
    public void CliProject_References_OnlyHostingAndStandalone()
    {
        var project = XDocument.Load(Path.Combine(RepositoryRoot(), "src", "Ferry.Cli", "Ferry.Cli.csproj"));
        var references = project.Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension((string?)r.Attribute("Include") ?? ""))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(["Ferry.Hosting", "Ferry.Standalone"], references);
    }

    /// <summary>
    /// The API server and the data plane are built only in Ferry.Hosting (one factory each), so the
    /// <c>ferry</c> assembly never names their types; what it takes from the controller and the pools are
    /// option records and names.
    /// </summary>
    [Fact]
    public void CliAssembly_References_NoApiServerOrDataPlane()
    {
        var references = Assembly.Load("ferry").GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("Ferry.Hosting", references);
        Assert.DoesNotContain(references, name => name is "Ferry.ApiServer" or "Ferry.DataPlane");
    }

    [Fact]
    public void EveryFerryAssembly_HasAnEventIdBlock()
    {
        var shipped = Directory.EnumerateFiles(AppContext.BaseDirectory, "Ferry.*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => name is not null && !name.EndsWith(".Tests", StringComparison.Ordinal) && name != "Ferry.Testing")
            .Append("ferry");

        Assert.All(shipped, name => Assert.Contains(_eventIdBlocks, block => block.Assembly == name));
    }

    /// <summary>One scheme for the whole product (docs: ApiServer 1000s … Cli 7000s), so an id in a log line names one event.</summary>
    [Fact]
    public void LoggerMessageEventIds_AreUniqueAndInTheirAssemblysBlock()
    {
        var seen = new Dictionary<int, string>();
        var problems = new List<string>();
        foreach (var (assemblyName, first, last) in _eventIdBlocks)
        {
            foreach (var (method, id) in LoggerMessages(Assembly.Load(assemblyName)))
            {
                if (id < first || id > last)
                {
                    problems.Add($"{method}: event id {id} is outside {assemblyName}'s block {first}-{last}");
                }

                if (!seen.TryAdd(id, method))
                {
                    problems.Add($"{method}: event id {id} is already used by {seen[id]}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.NotEmpty(seen);
    }

    private static IEnumerable<(string Method, int Id)> LoggerMessages(Assembly assembly) =>
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<Microsoft.Extensions.Logging.LoggerMessageAttribute>()
        where attribute is not null
        select ($"{type.FullName}.{method.Name}", attribute.EventId);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ferry.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Ferry.slnx not found above " + AppContext.BaseDirectory);
    }
}
