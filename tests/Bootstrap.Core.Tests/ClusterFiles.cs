using Bootstrap.Core.Config;

namespace Bootstrap.Core.Tests;

/// <summary>Cluster files loaded for tests of what they mean.</summary>
internal static class ClusterFiles
{
    /// <summary>
    /// <paramref name="path"/> loaded from its text, relative paths against its directory, without looking at
    /// the files it names (the example files name keys on the lab machine, the vagrant file Vagrant's keys).
    /// </summary>
    public static ClusterConfigLoadResult LoadText(string path, string homeDirectory = "/home/tester") =>
        ClusterConfigLoader.Load(File.ReadAllText(path), path, Path.GetDirectoryName(Path.GetFullPath(path))!, homeDirectory);
}
