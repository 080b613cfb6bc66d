using System.Globalization;
using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Serilog;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// One run that changes a cluster at a time, whichever workstation it comes from: a lease on each control plane (and etcd
/// member), <see cref="LeaseFile"/>, that names the SSH session holding it and who runs (<see cref="Pki.StateRunLock.Describe"/>).
/// <para>
/// A lease is held while its SSH session lives: a second run finds the sshd process it names still running (same pid, same
/// start time) and is refused, naming the run. A run that ends gives its lease back; a run that is killed, or whose workstation
/// goes away, loses its connections, and with them its sessions, so its lease is stale and the next run takes it: nothing is
/// left to clean up by hand. The session is the connection <see cref="AcquireAsync(IHostConnector, IReadOnlyList{HostSpec}, string, SecretRedactor, ILogger, CancellationToken)"/>'s
/// connector gives: in a run, the run's own connection to the host, kept open until the run ends (<see cref="LeaseConnections"/>),
/// so closing idle connections past <c>ssh.concurrency</c> never ends it.
/// </para>
/// <para>
/// Each host's lease is read and written under <c>flock</c> on <see cref="GuardFile"/>, so two runs that reach a host at once
/// see each other. Two runs that each take some hosts first are both refused (each names the other), and neither changed anything.
/// </para>
/// </summary>
public sealed class ClusterRunLease : IAsyncDisposable
{
    /// <summary>On tmpfs: a lease never outlives the host's boot, as its session cannot.</summary>
    public const string Directory = "/run/bootstrap";

    public const string LeaseFile = Directory + "/run.lease";

    public const string GuardFile = Directory + "/run.lease.lock";

    /// <summary>The acquiring script's exit status when another run's session holds the lease.</summary>
    internal const int HeldStatus = 75;

    /// <summary>The longest holder line kept or shown.</summary>
    internal const int MaxHolderLength = 400;

    /// <summary>Giving back is best effort (a lease left behind ends with its session): a host that hangs does not hold the run's end for long.</summary>
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Takes the lease in directory <c>$4</c> for the run <c>$1</c> described by <c>$2</c>: the holding session is the nearest sshd (or dropbear)
    /// process above this command, else the client process <c>$3</c> (a host that is the workstation itself). A lease of
    /// another run whose session still runs (same pid and start time, field 22 of /proc/PID/stat) is printed (the session's
    /// pid, then its holder line) with status 75.
    /// </summary>
    internal const string AcquireScript =
        "id=$1 text=$2 client=$3 d=$4 l=$4/run.lease\n"
        + "umask 077\n"
        + "mkdir -p \"$d\" && exec 9>\"$l.lock\" || exit 1\n"
        + "flock -w 10 9 || { echo \"$l.lock stayed locked for 10 s\" >&2; exit 1; }\n"
        + "started() { case $1 in ''|*[!0-9]*) return 1;; esac; read -r s 2>/dev/null < \"/proc/$1/stat\" || return 1; set -- ${s##*) }; echo \"${20}\"; }\n"
        + "p=$$ h=\n"
        + "while [ \"$p\" -gt 1 ] 2>/dev/null && read -r s 2>/dev/null < \"/proc/$p/stat\" && read -r c 2>/dev/null < \"/proc/$p/comm\"; do\n"
        + "  set -- ${s##*) }\n"
        + "  case $c in sshd|sshd-session|dropbear) h=\"$p ${20}\"; break;; esac\n"
        + "  p=$2\n"
        + "done\n"
        + "if [ -z \"$h\" ]; then t=$(started \"$client\") && h=\"$client $t\" || { echo 'found no SSH session above this command to hold the lease' >&2; exit 1; }; fi\n"
        + "if [ -s \"$l\" ] && { read -r hp hs hid; IFS= read -r ht; } < \"$l\"; then\n"
        + "  if [ \"$hid\" != \"$id\" ] && [ -n \"$hs\" ] && [ \"$(started \"$hp\")\" = \"$hs\" ]; then printf '%s\\n%s\\n' \"$hp\" \"$ht\"; exit 75; fi\n"
        + "fi\n"
        + "printf '%s %s\\n%s\\n' \"$h\" \"$id\" \"$text\" > \"$l.new\" && mv -f \"$l.new\" \"$l\"";

    /// <summary>Gives the lease of run <c>$1</c> in directory <c>$2</c> back; another run's lease, or none, is left as it is.</summary>
    internal const string ReleaseScript =
        "d=$2 l=$2/run.lease\n"
        + "[ -d \"$d\" ] && exec 9>\"$l.lock\" && flock -w 10 9 || exit 0\n"
        + "if [ -s \"$l\" ] && read -r hp hs hid < \"$l\" && [ \"$hid\" = \"$1\" ]; then rm -f \"$l\"; fi\n"
        + "exit 0";

    private readonly IReadOnlyList<IRemoteHost> _hosts;
    private readonly string _id;
    private readonly string _directory;
    private readonly ILogger _log;

    private ClusterRunLease(IReadOnlyList<IRemoteHost> hosts, string id, string directory, ILogger logger)
    {
        _hosts = hosts;
        _id = id;
        _directory = directory;
        _log = logger;
    }

    /// <summary>The hosts that hold this run's lease.</summary>
    public IReadOnlyList<string> Hosts => _hosts.Select(h => h.Name).ToList();

    /// <summary>The hosts a run's lease is taken on: the control planes and etcd members, which hold what every run reads and changes.</summary>
    public static IReadOnlyList<HostSpec> HostsOf(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Hosts.Where(h => h.HasRole(HostRole.ControlPlane) || config.EtcdMembers.Contains(h)).ToList();
    }

    /// <summary>
    /// Takes the lease on each of <paramref name="hosts"/> that answers, on the connection <paramref name="connector"/> gives for
    /// it (disposed when the lease is given back). A host that does not answer is skipped (logged): the run's own connection
    /// to it says what it needs to.
    /// </summary>
    /// <param name="holder">Who runs (<see cref="Pki.StateRunLock.Describe"/>); control characters are replaced.</param>
    /// <exception cref="ClusterRunLeaseException">Another run holds the lease on a host (named, with who runs), or a host could not take it; every lease this call took is given back.</exception>
    public static Task<ClusterRunLease> AcquireAsync(
        IHostConnector connector, IReadOnlyList<HostSpec> hosts, string holder, SecretRedactor redactor, ILogger logger, CancellationToken cancellationToken) =>
        AcquireAsync(connector, hosts, holder, Directory, redactor, logger, cancellationToken);

    /// <param name="directory">Where the lease is kept on each host (<see cref="Directory"/>; another in tests).</param>
    internal static async Task<ClusterRunLease> AcquireAsync(
        IHostConnector connector, IReadOnlyList<HostSpec> hosts, string holder, string directory, SecretRedactor redactor, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(logger);
        var id = RemoteIdentifier();
        var text = Printable(holder);
        var command = new RemoteCommand(["sh", "-c", AcquireScript, "sh", id, text, Environment.ProcessId.ToString(CultureInfo.InvariantCulture), directory], sudo: true);
        var attempts = await Task.WhenAll(hosts.Select(async spec =>
        {
            IRemoteHost host;
            try
            {
                host = await connector.ConnectAsync(spec, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                return new Attempt(spec.Name, null, null, e);
            }
            catch (Exception e)
            {
                logger.Debug("[{Phase}] {Host}: not reached for the run lease ({Error})", "lease", spec.Name, redactor.Redact(e.Message));
                return new Attempt(spec.Name, null, null, null);
            }

            try
            {
                var result = await host.RunAsync(command, cancellationToken).ConfigureAwait(false);
                return new Attempt(spec.Name, host, result, null);
            }
            catch (Exception e)
            {
                return new Attempt(spec.Name, host, null, e);
            }
        })).ConfigureAwait(false);

        var taken = new ClusterRunLease(attempts.Where(a => a.Result is { Succeeded: true }).Select(a => a.Host!).ToList(), id, directory, logger);
        var others = attempts.Where(a => a.Host is not null && a.Result is not { Succeeded: true }).Select(a => a.Host!).ToList();
        foreach (var host in others)
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }

        if (cancellationToken.IsCancellationRequested && attempts.Any(a => a.Error is OperationCanceledException))
        {
            await taken.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        var held = attempts.Where(a => a.Result?.ExitCode == HeldStatus).ToList();
        var failed = attempts.Where(a => a.Error is not null || (a.Result is { Succeeded: false } r && r.ExitCode != HeldStatus)).ToList();
        if (held.Count == 0 && failed.Count == 0)
        {
            logger.Debug("[{Phase}] this run holds the lease on {Hosts}", "lease", string.Join(", ", taken.Hosts));
            return taken;
        }

        await taken.DisposeAsync().ConfigureAwait(false);
        throw new ClusterRunLeaseException(held.Count > 0
            ? InUse(held.Select(a => (a.Name, a.Result!.Stdout)).ToList())
            : string.Join("; ", failed.Select(a => $"{a.Name}: cannot take the run lease ({Why(a, redactor)})")) + "; nothing was changed");
    }

    /// <summary>Gives the lease back on every host (each may fail alone: a lease left behind ends with its session) and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        var release = new RemoteCommand(["sh", "-c", ReleaseScript, "sh", _id, _directory], sudo: true, timeout: ReleaseTimeout);
        await Task.WhenAll(_hosts.Select(async host =>
        {
            try
            {
                await host.RunAsync(release, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _log.Debug("[{Phase}] {Host}: the run lease was not given back ({Error}); it ends with this run's SSH session", "lease", host.Name, e.Message);
            }

            await host.DisposeAsync().ConfigureAwait(false);
        })).ConfigureAwait(false);
    }

    /// <summary>What a refused run says: who holds the lease (each holder once), on which hosts, with each host's session.</summary>
    internal static string InUse(IReadOnlyList<(string Host, string Stdout)> held)
    {
        var lines = held.Select(h =>
        {
            var parts = h.Stdout.Split('\n', 2);
            var session = parts[0].Trim();
            var who = parts.Length > 1 ? Printable(parts[1].Trim()) : string.Empty;
            return (h.Host, Session: session.Length > 0 && session.All(char.IsAsciiDigit) ? session : "?", Who: who.Length == 0 ? "a run that did not say who it is" : who);
        });
        var holders = lines.GroupBy(l => l.Who, StringComparer.Ordinal)
            .Select(g => $"{g.Key}, on {string.Join(", ", g.Select(l => $"{l.Host} (its SSH session there is process {l.Session})"))}");
        return "the cluster is in use by another bootstrap run: " + string.Join("; and ", holders)
            + ". Wait for it to finish, then run again; nothing was changed. A run that ended, or was killed, leaves no lease behind. "
            + "If its workstation lost the network and the run is gone, its lease ends when sshd drops that session; to end it now, "
            + "run `sudo kill PROCESS` on each host named, with the process given for it.";
    }

    /// <summary>Control characters and lines never reach a host's lease or a terminal; long text is cut.</summary>
    internal static string Printable(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxHolderLength));
        foreach (var c in text.Take(MaxHolderLength))
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }

    private static string Why(Attempt attempt, SecretRedactor redactor)
    {
        if (attempt.Error is { } error)
        {
            return redactor.Redact(error.Message);
        }

        var stderr = Printable(attempt.Result!.Stderr.Trim());
        return stderr.Length > 0 ? $"exit {attempt.Result.ExitCode}: {redactor.Redact(stderr)}" : $"exit {attempt.Result.ExitCode}";
    }

    private static string RemoteIdentifier() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    private sealed record Attempt(string Name, IRemoteHost? Host, CommandResult? Result, Exception? Error);
}

/// <summary>The run may not start: another run holds the cluster's lease, or a host could not take it (the message says which, and what to do).</summary>
public sealed class ClusterRunLeaseException(string message) : Exception(message);
