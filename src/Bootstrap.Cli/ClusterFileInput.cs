using System.Globalization;
using Bootstrap.Core.Config;

namespace Bootstrap.Cli;

/// <summary>
/// Loads the cluster file of a command (<c>-f PATH</c>, or <c>-f -</c> for standard input); on bad input
/// prints every finding (FILE:LINE:COL: PATH: MESSAGE, with <c>&lt;stdin&gt;</c> as the file for <c>-f -</c>).
/// </summary>
internal sealed class ClusterFileInput(TextReader standardInput, Func<Stream>? standardInputBytes = null)
{
    /// <summary>The <c>-f</c> value that means standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>What <c>-f</c> says in every command's help.</summary>
    public const string FileDescription = "The cluster file, or - to read it from standard input.";

    /// <summary>
    /// The process's standard input: <c>-f -</c> reads its bytes, so that a file that is not UTF-8 is reported as the same file
    /// given by path would be (the console's reader would take such bytes for U+FFFD).
    /// </summary>
    public static ClusterFileInput FromConsole() => new(Console.In, Console.OpenStandardInput);

    /// <summary>The name findings and messages use for <paramref name="path"/>.</summary>
    public static string DisplayName(string path) =>
        path == StandardInput ? ClusterConfigLoader.StandardInputName : path.Length == 0 ? "\"\"" : path;

    /// <summary>Every finding about the file at <paramref name="path"/> (or standard input), and the config when it is valid.</summary>
    public ClusterConfigLoadResult LoadResult(string path) =>
        path != StandardInput ? ClusterConfigLoader.LoadFile(path)
        : standardInputBytes is null ? ClusterConfigLoader.LoadStandardInput(standardInput)
        : ClusterConfigLoader.LoadStandardInput(standardInputBytes());

    /// <summary>The config; null after printing every finding to <paramref name="error"/> when the file is not valid.</summary>
    public ClusterConfig? Load(string path, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var result = LoadResult(path);
        foreach (var diagnostic in result.Diagnostics)
        {
            error.WriteLine(diagnostic.ToString());
        }

        if (result.Config is null)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DisplayName(path)}: {result.Errors.Count} error(s); the cluster file is not valid"));
        }

        return result.Config;
    }
}
