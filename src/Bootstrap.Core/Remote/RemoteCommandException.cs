namespace Bootstrap.Core.Remote;

/// <summary>A command on a named host exited non-zero or could not be run.</summary>
public sealed class RemoteCommandException : Exception
{
    public RemoteCommandException(string host, string displayCommand, CommandResult result)
        : base($"{host}: `{displayCommand}` exited {result.ExitCode}: {Tail(result.Stderr.Length > 0 ? result.Stderr : result.Stdout)}")
    {
        Host = host;
        Result = result;
    }

    public string Host { get; }

    public CommandResult Result { get; }

    private static string Tail(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= 2000 ? trimmed : "…" + trimmed[^2000..];
    }
}
