namespace Bootstrap.Core.Remote;

/// <summary>What one host's part of a fan-out produced: a value, or the error that host raised.</summary>
public sealed record HostResult<T>(string Host, T? Value, Exception? Error)
{
    public bool Succeeded => Error is null;
}
