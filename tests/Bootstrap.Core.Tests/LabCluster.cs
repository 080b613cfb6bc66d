using Bootstrap.Core.Config;

namespace Bootstrap.Core.Tests;

/// <summary>examples/lab-cluster.yaml loaded through the real loader, for tests that render from it.</summary>
internal static class LabCluster
{
    public static ClusterConfig Load()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Examples", "lab-cluster.yaml");
        var result = ClusterConfigLoader.LoadFile(file, homeDirectory: "/home/tester");
        Assert.Empty(result.Diagnostics);
        return Assert.IsType<ClusterConfig>(result.Config);
    }

    public static HostSpec Host(this ClusterConfig config, string name) => config.Hosts.Single(h => h.Name == name);

    public static ClusterConfig AtVersion(this ClusterConfig config, int minor) =>
        config with { KubernetesVersion = new KubernetesVersion(1, minor, 0) };
}
