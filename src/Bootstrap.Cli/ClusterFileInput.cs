using System.Globalization;
using Bootstrap.Core.Config;

namespace Bootstrap.Cli;

/// <summary>Loads the cluster file for a command; on bad input prints every finding (FILE:LINE:COL: PATH: MESSAGE).</summary>
internal static class ClusterFileInput
{
    public static ClusterConfig? Load(string path, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var result = ClusterConfigLoader.LoadFile(path);
        foreach (var diagnostic in result.Diagnostics)
        {
            error.WriteLine(diagnostic.ToString());
        }

        if (result.Config is null)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: {result.Errors.Count} error(s); the cluster file is not valid"));
        }

        return result.Config;
    }
}
