namespace Bootstrap.Core.Remote;

/// <summary>Where and how a file is written on a host. Mode is octal, e.g. 0o600.</summary>
public sealed record FileSpec(string Path, int Mode = 0b110_100_100, string Owner = "root", string Group = "root")
{
    /// <summary>
    /// The host's manifest of installed files that records the file once it is written (by the same command that renames it in
    /// place); null: not recorded. Bootstrap's installs set it (<c>FileConvergence</c>).
    /// </summary>
    public string? Manifest { get; init; }

    public string ModeOctal => Convert.ToString(Mode, 8).PadLeft(4, '0');
}
