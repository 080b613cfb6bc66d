using Bootstrap.Core.Config;

namespace Bootstrap.Core.Tests;

/// <summary>examples/lab-cluster.yaml, for tests that render from it or run commands with it.</summary>
internal static class LabCluster
{
    /// <summary>The example file as the repository has it.</summary>
    public static readonly string ExampleFile = Path.Combine(AppContext.BaseDirectory, "Examples", "lab-cluster.yaml");

    private static readonly Lazy<string> Copy = new(WriteCopy, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The example file with its identity file replaced by a key generated for this test run, so commands that
    /// load it as the CLI does (which checks the identity file) do not depend on the lab's machine. The rest,
    /// state directory included, is the example's.
    /// </summary>
    public static string File => Copy.Value;

    /// <summary>The example file's config, from its text alone (the files it names on the lab machine are not looked at).</summary>
    public static ClusterConfig Load()
    {
        var result = ClusterFiles.LoadText(ExampleFile);
        Assert.Empty(result.Diagnostics);
        return Assert.IsType<ClusterConfig>(result.Config);
    }

    public static HostSpec Host(this ClusterConfig config, string name) => config.Hosts.Single(h => h.Name == name);

    public static ClusterConfig AtVersion(this ClusterConfig config, int minor) =>
        config with { KubernetesVersion = new KubernetesVersion(1, minor, 0) };

    private static string WriteCopy()
    {
        var directory = Directory.CreateTempSubdirectory("bootstrap-lab-file-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        var key = Path.Combine(directory, "id_ecdsa");
        TestKeys.Write(key);
        var path = Path.Combine(directory, "lab-cluster.yaml");
        var text = System.IO.File.ReadAllText(ExampleFile);
        Assert.Contains("/var/cache/bootstrap-lab/ssh/id_ed25519", text, StringComparison.Ordinal);
        System.IO.File.WriteAllText(path, text.Replace("/var/cache/bootstrap-lab/ssh/id_ed25519", key, StringComparison.Ordinal));
        return path;
    }
}
