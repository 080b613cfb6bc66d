using System.Globalization;
using Bootstrap.Core.LoadBalancer;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Install;

/// <summary>
/// Plans systemd services to be enabled and running on their current inputs, and nothing more: a service that
/// runs and started after its inputs last changed (file mtimes against ActiveEnterTimestamp, both from the
/// host's clock), with none of its inputs about to change, is left alone, so a second run restarts nothing.
/// A stopped service is started (in parallel across hosts); a running one whose inputs change is restarted,
/// which makes the host's plan <see cref="TargetPlan.Rolling"/>: its file changes and the restart happen in the
/// host's turn, and the turn ends once the new process is healthy and <see cref="ServiceSpec.HoldAfterRestart"/>
/// has passed.
/// </summary>
internal static class ServiceControl
{
    /// <summary>How many restarts by systemd while waiting mean the service crashes on its configuration.</summary>
    public const int CrashLoopRestarts = 3;

    /// <summary>systemctl's exit code when it knows no such unit (LSB's "not installed").</summary>
    private const int UnitNotFound = 5;

    /// <summary>The changes that keep <paramref name="services"/> enabled and running after <paramref name="fileChanges"/> (planned on the same host).</summary>
    /// <param name="waitAfterStart">Wait for health after a fresh start too (not for etcd members of a new cluster, which need each other).</param>
    public static async Task<IReadOnlyList<Change>> PlanAsync(
        HostView view, IReadOnlyList<ServiceSpec> services, IReadOnlyList<Change> fileChanges, bool waitAfterStart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(fileChanges);
        var pending = FileConvergence.ContentChanges(fileChanges);
        var unitFileChanges = await StaleUnitFilesAsync(view, fileChanges, cancellationToken).ConfigureAwait(false);
        var reload = false;
        var changes = new List<Change>();
        var disabled = new List<(ServiceSpec Service, ServiceStatus Status)>();
        foreach (var service in services)
        {
            var status = await view.UnitAsync(service.Unit, cancellationToken).ConfigureAwait(false);
            // A unit systemd failed to load (its file broken or removed under it while it ran, then written back) is read again
            // only by daemon-reload: until then systemd refuses to restart it ("failed to load properly").
            reload |= status.NeedDaemonReload || status.LoadState is "error" or "bad-setting";
            if (!status.Enabled)
            {
                disabled.Add((service, status));
            }

            if (!status.Active)
            {
                changes.Add(new Change
                {
                    Host = view.Name,
                    Kind = ChangeKind.UnitStart,
                    Target = service.Unit,
                    From = status.ActiveState.Length == 0 ? "unknown" : status.ActiveState,
                    To = "active",
                    Reason = $"{service.Component} is {(status.ActiveState.Length == 0 ? "unknown" : status.ActiveState)}",
                    Apply = (apply, ct) => StartAsync(apply, view.Name, service, status, waitAfterStart, ct),
                });
                continue;
            }

            var reason = service.Inputs.Where(pending.Contains).ToList() is { Count: > 0 } changing
                ? $"{service.Component} runs with files that are about to change: {string.Join(", ", changing)}"
                : await StaleInputsAsync(view, service, status, cancellationToken).ConfigureAwait(false);
            if (reason is not null)
            {
                changes.Add(new Change
                {
                    Host = view.Name,
                    Kind = ChangeKind.UnitRestart,
                    Target = service.Unit,
                    From = "active",
                    To = "active",
                    Reason = reason + Around(service),
                    Apply = (apply, ct) => RestartAsync(apply, view.Name, service, status, ct),
                });
            }
        }

        // Before anything starts: every enable, then systemd reloads its unit files once. `systemctl enable` reloads systemd by
        // itself (as long as daemon-reload, a second or more on a busy host), to refresh what it knows of the unit's wants and
        // its enablement (a later `systemctl show` reports UnitFileState from that): the enables leave it to the last of them,
        // or to the daemon-reload after them when a unit file changes. A run stopped between them leaves systemd reporting a
        // unit disabled that is enabled: the next plan enables it again, and that enable reloads. A unit systemd found no file
        // for knows nothing to refresh: enabling it alone needs no reload (a fresh host's units, whose files are all new).
        var reloads = reload || unitFileChanges;
        var enableReloads = disabled.Any(d => !d.Status.NotFound);
        var first = disabled.Select((d, index) => Enable(view, d.Service, d.Status, reloadAfter: !reloads && enableReloads && index == disabled.Count - 1)).ToList();
        if (reloads)
        {
            first.Add(DaemonReload(view, unitFileChanges ? "a unit file changes" : "systemd reports unit files changed on disk, or failed to load one"));
        }

        changes.InsertRange(0, first);
        return changes;
    }

    /// <summary>
    /// Whether systemd must reload for the unit files among <paramref name="fileChanges"/>: a file of a unit it has loaded (or of a
    /// unit this plan does not know the state of, or a file that is not a unit's, like a wants link) is read only by daemon-reload.
    /// The file of a unit systemd found none for (a new unit) needs none: systemd reads it when the unit is started, and so does
    /// a systemd older than 246 that still holds the unit as not found, once <see cref="StartAsync"/> reloads for it. A unit that still
    /// runs after its file was removed (and systemd reloaded) is not found too, but restarting it needs the reload: systemd refuses
    /// ("failed to load properly … Device or resource busy").
    /// </summary>
    private static async Task<bool> StaleUnitFilesAsync(HostView view, IReadOnlyList<Change> fileChanges, CancellationToken cancellationToken)
    {
        foreach (var path in fileChanges.Select(c => c.Target).Where(t => t.StartsWith(InstallFiles.SystemdDir + "/", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal))
        {
            if (UnitOf(path) is not { } unit || !ServiceCatalog.Units.Contains(unit)
                || (await view.UnitAsync(unit, cancellationToken).ConfigureAwait(false)) is not { NotFound: true, Active: false })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The unit whose file or drop-in <paramref name="path"/> (under <see cref="InstallFiles.SystemdDir"/>) is, or null.</summary>
    internal static string? UnitOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path[(InstallFiles.SystemdDir.Length + 1)..].Split('/');
        return parts switch
        {
            [var file] when file.Contains('.', StringComparison.Ordinal) => file,
            [var dir, var dropIn] when dir.EndsWith(".d", StringComparison.Ordinal) && dropIn.EndsWith(".conf", StringComparison.Ordinal) => dir[..^2],
            _ => null,
        };
    }

    /// <summary>Enables <paramref name="service"/>'s unit; without <paramref name="reloadAfter"/>, systemd reloads later in the plan (<see cref="PlanAsync"/>).</summary>
    private static Change Enable(HostView view, ServiceSpec service, ServiceStatus status, bool reloadAfter) => new()
    {
        Host = view.Name,
        Kind = ChangeKind.UnitEnable,
        Target = service.Unit,
        From = status.UnitFileState.Length == 0 ? null : status.UnitFileState,
        To = "enabled",
        Apply = (apply, ct) => RunAsync(apply, view.Name, EnableCommand(service.Unit, reloadAfter), ct),
    };

    /// <summary>
    /// <c>systemctl enable</c> of <paramref name="unit"/>, leaving SysV init alone: Debian's systemctl also runs the package's init
    /// script links through update-rc.d for a unit that has one (etcd, haproxy, keepalived, containerd), a second or more on a
    /// busy host, for an init Bootstrap does not run on (preflight refuses a host whose PID 1 is not systemd, and systemd ignores
    /// the init script of a unit that has a unit file). The unit's own enablement, which decides what starts at boot, is the same.
    /// </summary>
    private static string[] EnableCommand(string unit, bool reload) =>
        reload ? ["env", SkipSysV, "systemctl", "enable", "--quiet", unit] : ["env", SkipSysV, "systemctl", "enable", "--quiet", "--no-reload", unit];

    private const string SkipSysV = "SYSTEMCTL_SKIP_SYSV=1";

    /// <summary>What a restart of <paramref name="service"/> does to its dependents, for the plan's reason.</summary>
    private static string Around(ServiceSpec service) =>
        service.Dependents.Count == 0 ? string.Empty
            : $"; {string.Join(" and ", service.Dependents.Select(d => d.Component))} on the host stops meanwhile and starts again after it";

    /// <summary>
    /// A restart of a running service for a reason other than its files (what it sets up on the host drifted), waited for
    /// like any restart. A stopped service is started instead.
    /// </summary>
    public static async Task<Change> PlanRestartAsync(HostView view, ServiceSpec service, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(service);
        var status = await view.UnitAsync(service.Unit, cancellationToken).ConfigureAwait(false);
        return new Change
        {
            Host = view.Name,
            Kind = status.Active ? ChangeKind.UnitRestart : ChangeKind.UnitStart,
            Target = service.Unit,
            From = status.ActiveState,
            To = "active",
            Reason = status.Active ? reason + Around(service) : reason,
            Apply = status.Active
                ? (apply, ct) => RestartAsync(apply, view.Name, service, status, ct)
                : (apply, ct) => StartAsync(apply, view.Name, service, status, waitAfterStart: true, ct),
        };
    }

    /// <summary>The changes that take a service Bootstrap no longer runs off a host: stopped when active, disabled when enabled.</summary>
    public static async Task<IReadOnlyList<Change>> PlanRetirementAsync(HostView view, ServiceSpec service, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(service);
        var status = await view.UnitAsync(service.Unit, cancellationToken).ConfigureAwait(false);
        var changes = new List<Change>();
        if (status.Active)
        {
            changes.Add(new Change
            {
                Host = view.Name,
                Kind = ChangeKind.UnitStop,
                Target = service.Unit,
                From = status.ActiveState,
                To = "inactive",
                Reason = reason,
                Apply = (apply, ct) => RunAsync(apply, view.Name, ["systemctl", "stop", service.Unit], ct),
            });
        }

        if (status.UnitFileState is "enabled" or "enabled-runtime")
        {
            changes.Add(new Change
            {
                Host = view.Name,
                Kind = ChangeKind.UnitDisable,
                Target = service.Unit,
                From = status.UnitFileState,
                To = "disabled",
                Reason = reason,
                Apply = (apply, ct) => RunAsync(apply, view.Name, ["systemctl", "disable", "--quiet", service.Unit], ct),
            });
        }

        return changes;
    }

    /// <summary>The changes that leave <paramref name="service"/> stopped and disabled, given its <paramref name="status"/>.</summary>
    public static IReadOnlyList<Change> PlanStop(string host, ServiceSpec service, ServiceStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(status);
        var changes = new List<Change>();
        if (status.ActiveState is not ("inactive" or "failed" or ""))
        {
            changes.Add(new Change
            {
                Host = host,
                Kind = ChangeKind.UnitStop,
                Target = service.Unit,
                From = status.ActiveState,
                To = "inactive",
                Apply = (apply, ct) => RunAsync(apply, host, ["systemctl", "stop", service.Unit], ct),
            });
        }

        if (status.UnitFileState is "enabled" or "enabled-runtime")
        {
            changes.Add(new Change
            {
                Host = host,
                Kind = ChangeKind.UnitDisable,
                Target = service.Unit,
                From = status.UnitFileState,
                To = "disabled",
                Apply = (apply, ct) => RunAsync(apply, host, ["systemctl", "disable", "--quiet", service.Unit], ct),
            });
        }

        return changes;
    }

    /// <summary>systemd reloads its unit files (after one was removed).</summary>
    public static Change DaemonReload(HostView view, string reason)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new Change
        {
            Host = view.Name,
            Kind = ChangeKind.DaemonReload,
            Target = "systemd's unit files",
            Reason = reason,
            Apply = (apply, ct) => RunAsync(apply, view.Name, ["systemctl", "daemon-reload"], ct),
        };
    }

    /// <summary>Whether the plan restarts a running service (it then needs the host's turn in a roll).</summary>
    public static bool Restarts(IEnumerable<Change> changes) => changes.Any(c => c.Kind == ChangeKind.UnitRestart);

    /// <summary>Polls the health command until it succeeds; on timeout the error ends with the unit's journal.</summary>
    /// <param name="replacing">
    /// The invocation a restart replaces: until the unit runs another one, the process answering is the
    /// old one (still stopping), so its health says nothing yet.
    /// </param>
    /// <exception cref="ServiceException">Not healthy within <see cref="ServiceSpec.HealthTimeout"/>.</exception>
    public static async Task WaitHealthyAsync(
        IRemoteHost host, ServiceSpec spec, SecretRedactor redactor, Waiting waiting, CancellationToken cancellationToken, string? replacing = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(waiting);
        using var timeout = new CancellationTokenSource(spec.HealthTimeout, waiting.Time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        CommandResult? last = null;
        var stopping = !string.IsNullOrEmpty(replacing);
        int? restartsAtFirstCheck = null;
        var crashing = false;
        var wait = waiting.Begin();
        try
        {
            while (true)
            {
                if (stopping)
                {
                    stopping = (await StatusAsync(host, spec.Unit, redactor, deadline.Token).ConfigureAwait(false)).InvocationId == replacing;
                }

                if (!stopping)
                {
                    last = await host.RunAsync(spec.Health with { Timeout = TimeSpan.FromSeconds(15) }, deadline.Token).ConfigureAwait(false);
                    if (last.Succeeded)
                    {
                        return;
                    }

                    // A process that keeps exiting will not become healthy by waiting: systemd restarting it again and again says so early.
                    var restarts = (await StatusAsync(host, spec.Unit, redactor, deadline.Token).ConfigureAwait(false)).Restarts;
                    restartsAtFirstCheck ??= restarts;
                    if (restarts - restartsAtFirstCheck >= CrashLoopRestarts)
                    {
                        crashing = true;
                        break;
                    }
                }

                await wait.DelayAsync(spec.PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The deadline passed; report below.
        }
        finally
        {
            wait.Dispose();
        }

        var journal = await host.RunAsync(
            new RemoteCommand(["journalctl", "--no-pager", "--output=short-iso", "-n", "25", "-u", spec.Unit], sudo: true), cancellationToken).ConfigureAwait(false);
        var check = stopping ? "the process it replaces is still stopping"
            : last is null ? "no answer"
            : $"exit {last.ExitCode}: {FirstLine(last.Stderr.Length > 0 ? last.Stderr : last.Stdout)}";
        var what = crashing
            ? $"keeps exiting: systemd restarted it {CrashLoopRestarts} times while Bootstrap waited for it to be healthy"
            : $"is not healthy after {spec.HealthTimeout.TotalSeconds:0} s";
        throw new ServiceException(redactor.Redact(
            $"{host.Name}: {spec.Component} {what} ({spec.Health.ToDisplayString(redactor)} → {check}). "
            + $"Last lines of its journal (journalctl -u {spec.Unit}):\n{journal.Stdout.TrimEnd()}"));
    }

    public static async Task<ServiceStatus> StatusAsync(IRemoteHost host, string unit, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var command = new List<string> { "systemctl", "show", "--timestamp=unix" };
        foreach (var property in ServiceStatus.Properties)
        {
            command.Add("-p");
            command.Add(property);
        }

        command.Add(unit);
        var result = await host.RunCheckedAsync(new RemoteCommand(command, sudo: true), redactor, cancellationToken).ConfigureAwait(false);
        return ServiceStatus.Parse(result.Stdout);
    }

    /// <summary>The state of every unit of <see cref="ServiceCatalog.Units"/> on <paramref name="host"/>, by unit, in one command.</summary>
    public static async Task<IReadOnlyDictionary<string, ServiceStatus>> StatusesAsync(IRemoteHost host, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        List<string> command = ["systemctl", "show", "--timestamp=unix", "-p", "Id"];
        foreach (var property in ServiceStatus.Properties)
        {
            command.Add("-p");
            command.Add(property);
        }

        command.AddRange(ServiceCatalog.Units);
        var result = await host.RunCheckedAsync(new RemoteCommand(command, sudo: true), redactor, cancellationToken).ConfigureAwait(false);
        var units = ServiceStatus.ParseAll(result.Stdout);
        var missing = ServiceCatalog.Units.Where(u => !units.ContainsKey(u)).ToList();
        return missing.Count == 0 ? units
            : throw new InvalidDataException($"{host.Name}: `systemctl show` printed no state for {string.Join(", ", missing)}");
    }

    /// <summary>Why a running service must restart on inputs that changed after it started (a run that wrote them and stopped), or null.</summary>
    private static async Task<string?> StaleInputsAsync(HostView view, ServiceSpec spec, ServiceStatus status, CancellationToken cancellationToken)
    {
        if (spec.Inputs.Count == 0)
        {
            return null;
        }

        string[] newer;
        if (view.Modified(spec.Inputs) is { } read)
        {
            // The phase's own read of its files already has their times.
            newer = [.. spec.Inputs.Distinct(StringComparer.Ordinal).Where(p => read[p] is { } mtime && mtime > status.ActiveSince)];
        }
        else
        {
            // A missing input only adds a line to stderr.
            var stat = await view.QueryAsync(new RemoteCommand(["stat", "-c", "%Y %n", "--", .. spec.Inputs], sudo: true), cancellationToken).ConfigureAwait(false);
            newer = [.. stat.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' ', 2))
                .Where(p => p.Length == 2 && long.TryParse(p[0], NumberStyles.None, CultureInfo.InvariantCulture, out var mtime) && mtime > status.ActiveSince)
                .Select(p => p[1])];
        }

        return newer.Length > 0 ? $"{spec.Component} started before {string.Join(", ", newer)} changed" : null;
    }

    private static async Task<IReadOnlyList<string>> StartAsync(ApplyContext apply, string hostName, ServiceSpec spec, ServiceStatus status, bool waitAfterStart, CancellationToken cancellationToken)
    {
        var host = apply.Host(hostName);
        if (status.ActiveState == "failed")
        {
            // A unit that hit its start limit refuses even a manual start until reset.
            await host.RunCheckedAsync(new RemoteCommand(["systemctl", "reset-failed", spec.Unit], sudo: true), apply.Redactor, cancellationToken).ConfigureAwait(false);
        }

        var start = new RemoteCommand(["systemctl", "start", "--no-block", spec.Unit], sudo: true);
        var started = await host.RunAsync(start, cancellationToken).ConfigureAwait(false);
        if (started.ExitCode == UnitNotFound)
        {
            // A unit whose file is new, started without a daemon-reload: a systemd older than 246 that had looked the unit up before
            // the file existed still holds it as not found until it reloads.
            await host.RunCheckedAsync(new RemoteCommand(["systemctl", "daemon-reload"], sudo: true), apply.Redactor, cancellationToken).ConfigureAwait(false);
            started = await host.RunAsync(start, cancellationToken).ConfigureAwait(false);
        }

        if (!started.Succeeded)
        {
            throw new RemoteCommandException(host.Name, start.ToDisplayString(apply.Redactor), started);
        }

        if (waitAfterStart)
        {
            await WaitHealthyAsync(host, spec, apply.Redactor, apply.Waiting, cancellationToken).ConfigureAwait(false);
        }

        return [];
    }

    private static async Task<IReadOnlyList<string>> RestartAsync(ApplyContext apply, string hostName, ServiceSpec spec, ServiceStatus status, CancellationToken cancellationToken)
    {
        var host = apply.Host(hostName);
        var details = new List<string>();

        // Each running dependent leaves first: `systemctl stop` returns once it has handed over and exited.
        var stopped = new List<ServiceSpec>();
        foreach (var dependent in spec.Dependents)
        {
            if ((await StatusAsync(host, dependent.Unit, apply.Redactor, cancellationToken).ConfigureAwait(false)).Active)
            {
                await host.RunCheckedAsync(new RemoteCommand(["systemctl", "stop", dependent.Unit], sudo: true), apply.Redactor, cancellationToken).ConfigureAwait(false);
                stopped.Add(dependent);
                details.Add($"stopped {dependent.Component} while {spec.Component} restarted (it reads only this {spec.Component})");
            }
        }

        var healthy = false;
        try
        {
            await host.RunCheckedAsync(new RemoteCommand(["systemctl", "restart", "--no-block", spec.Unit], sudo: true), apply.Redactor, cancellationToken).ConfigureAwait(false);
            await WaitHealthyAsync(host, spec, apply.Redactor, apply.Waiting, cancellationToken, replacing: status.InvocationId).ConfigureAwait(false);
            healthy = true;
        }
        finally
        {
            if (!healthy)
            {
                // The roll stops here; the dependents are not left stopped behind it (they answer once the service does).
                foreach (var dependent in stopped)
                {
                    await host.RunAsync(new RemoteCommand(["systemctl", "start", "--no-block", dependent.Unit], sudo: true), CancellationToken.None).ConfigureAwait(false);
                }
            }
        }

        foreach (var dependent in stopped)
        {
            await host.RunCheckedAsync(new RemoteCommand(["systemctl", "start", "--no-block", dependent.Unit], sudo: true), apply.Redactor, cancellationToken).ConfigureAwait(false);
            await WaitHealthyAsync(host, dependent, apply.Redactor, apply.Waiting, cancellationToken).ConfigureAwait(false);
            await HoldAsync(apply, dependent, cancellationToken).ConfigureAwait(false);
            details.Add($"started {dependent.Component} again");
        }

        await HoldAsync(apply, spec, cancellationToken).ConfigureAwait(false);
        return details;
    }

    /// <summary>How often a hold asks the load balancers whether they took a restarted server back.</summary>
    private static readonly TimeSpan RejoinPollInterval = TimeSpan.FromMilliseconds(250);

    private static async Task HoldAsync(ApplyContext apply, ServiceSpec spec, CancellationToken cancellationToken)
    {
        if (spec.HoldAfterRestart <= TimeSpan.Zero)
        {
            return;
        }

        using var wait = apply.Waiting.Begin();
        var until = apply.Time.GetUtcNow() + spec.HoldAfterRestart;
        while (spec.Rejoin is { } rejoin && apply.Time.GetUtcNow() < until)
        {
            var rejoined = await RejoinedAsync(apply, rejoin, cancellationToken).ConfigureAwait(false);
            if (rejoined is true)
            {
                return;
            }

            if (rejoined is null)
            {
                // A load balancer that cannot tell (not connected in this run, or an older haproxy.cfg): the whole bound.
                break;
            }

            await wait.DelayAsync(RejoinPollInterval, cancellationToken).ConfigureAwait(false);
        }

        var left = until - apply.Time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            await wait.DelayAsync(left, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether every load balancer's haproxy reports the server UP; null when one of them cannot tell.</summary>
    private static async Task<bool?> RejoinedAsync(ApplyContext apply, LoadBalancerRejoin rejoin, CancellationToken cancellationToken)
    {
        var states = await Task.WhenAll(rejoin.LoadBalancers.Select(async name =>
        {
            if (!apply.TryHost(name, out var host))
            {
                return null;
            }

            try
            {
                var read = await host.RunAsync(HaproxyServers.ReadCommand(), cancellationToken).ConfigureAwait(false);
                return read.Succeeded ? HaproxyServers.State(read.Stdout, rejoin.Server) : null;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                // A load balancer this run cannot reach any more: the hold is the whole bound, as without the statistics.
                return null;
            }
        })).ConfigureAwait(false);
        return states.Any(s => s is null) ? null : states.All(s => s == "UP");
    }

    private static async Task<IReadOnlyList<string>> RunAsync(ApplyContext apply, string hostName, string[] argv, CancellationToken cancellationToken)
    {
        await apply.Host(hostName).RunCheckedAsync(new RemoteCommand(argv, sudo: true), apply.Redactor, cancellationToken).ConfigureAwait(false);
        return [];
    }

    private static string FirstLine(string text) => text.Trim().Split('\n')[0];
}
