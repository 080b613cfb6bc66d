namespace Bootstrap.Core.Remote;

/// <summary>Some hosts of a fan-out failed; the message names each of them, the results keep every host's outcome.</summary>
public sealed class HostFanOutException : Exception
{
    public HostFanOutException(IReadOnlyList<string> failedHosts, IReadOnlyList<Exception> errors)
        : base(Describe(failedHosts, errors), errors.Count == 1 ? errors[0] : new AggregateException(errors))
    {
        FailedHosts = failedHosts;
    }

    public IReadOnlyList<string> FailedHosts { get; }

    private static string Describe(IReadOnlyList<string> hosts, IReadOnlyList<Exception> errors) =>
        $"{hosts.Count} host(s) failed: " + string.Join("; ", hosts.Zip(errors, (host, error) =>
            error.Message.StartsWith(host + ":", StringComparison.Ordinal) ? error.Message : host + ": " + error.Message));
}
