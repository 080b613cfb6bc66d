namespace Bootstrap.Core.Remote;

/// <summary>Where and how a file is written on a host. Mode is octal, e.g. 0o600.</summary>
public sealed record FileSpec(string Path, int Mode = 0b110_100_100, string Owner = "root", string Group = "root")
{
    public string ModeOctal => Convert.ToString(Mode, 8).PadLeft(4, '0');
}
