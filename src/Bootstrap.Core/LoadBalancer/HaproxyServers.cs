using Bootstrap.Core.Remote;

namespace Bootstrap.Core.LoadBalancer;

/// <summary>
/// What a load balancer's haproxy makes of each API server, read on the load balancer from its statistics
/// (<see cref="LoadBalancerFiles.ServersUrl"/>, loopback only): a restarted API server is taken back once its state is
/// <c>UP</c> (<c>DOWN 1/2</c> is a server passing its first check, <c>UP 1/3</c> one failing).
/// </summary>
internal static class HaproxyServers
{
    /// <summary>The backend of haproxy.cfg that holds the API servers.</summary>
    public const string Backend = "kube-apiserver";

    /// <summary>Prints haproxy's statistics as CSV; fails when haproxy does not answer (or serves no statistics: an older haproxy.cfg).</summary>
    public static RemoteCommand ReadCommand() =>
        new(["curl", "--silent", "--show-error", "--fail", "--max-time", "2", LoadBalancerFiles.ServersUrl]);

    /// <summary>The state of <paramref name="server"/> in <see cref="Backend"/>, or null when the statistics do not list it.</summary>
    public static string? State(string csv, string server)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0 || !lines[0].StartsWith("# ", StringComparison.Ordinal))
        {
            return null;
        }

        var header = lines[0][2..].Split(',');
        var (name, proxy, status) = (Array.IndexOf(header, "svname"), Array.IndexOf(header, "pxname"), Array.IndexOf(header, "status"));
        if (name < 0 || proxy < 0 || status < 0)
        {
            return null;
        }

        return lines.Skip(1).Select(l => l.Split(','))
            .Where(f => f.Length > Math.Max(status, Math.Max(name, proxy)) && f[proxy] == Backend && f[name] == server)
            .Select(f => f[status])
            .FirstOrDefault();
    }
}
