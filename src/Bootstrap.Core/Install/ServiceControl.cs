using System.Globalization;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Install;

/// <summary>
/// Keeps a systemd service enabled and running on its current inputs, and nothing more: a service that
/// runs and started after its inputs last changed (file mtimes against ActiveEnterTimestamp, both from
/// the host's clock) is left alone, so a second run restarts nothing. Starts of stopped services run in
/// parallel across hosts; restarts of running ones take <c>rolling</c>, so that at most one host's
/// copy is down at a time, and release it only once the new process is healthy and its
/// <see cref="ServiceSpec.HoldAfterRestart"/> has passed.
/// </summary>
internal static class ServiceControl
{
    /// <summary>What would be done to the service, and why (for plans and reports).</summary>
    public static async Task<(ServiceAction Action, ServiceStatus Status, string Reason)> DecideAsync(
        IRemoteHost host, ServiceSpec spec, bool inputsPending, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        var status = await StatusAsync(host, spec.Unit, redactor, cancellationToken).ConfigureAwait(false);
        if (!status.Active)
        {
            return (ServiceAction.Start, status, $"{spec.Component} is {(status.ActiveState.Length == 0 ? "unknown" : status.ActiveState)}");
        }

        if (inputsPending)
        {
            return (ServiceAction.Restart, status, $"{spec.Component} runs with files that are about to change");
        }

        // A missing input only adds a line to stderr; the phase writes it before the service is started.
        var stat = await host.RunAsync(new RemoteCommand(["stat", "-c", "%Y %n", "--", .. spec.Inputs], sudo: true), cancellationToken)
            .ConfigureAwait(false);
        var newer = stat.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 2))
            .Where(p => long.Parse(p[0], CultureInfo.InvariantCulture) > status.ActiveSince)
            .Select(p => p[1])
            .ToArray();
        return newer.Length > 0
            ? (ServiceAction.Restart, status, $"{spec.Component} started before {string.Join(", ", newer)} changed")
            : (ServiceAction.None, status, $"{spec.Component} is running on its current files");
    }

    /// <summary>For a plan: what would be done to the service given the file changes a dry run found, or null for nothing.</summary>
    public static async Task<string?> PlanAsync(
        IRemoteHost host, ServiceSpec spec, IReadOnlyList<FileChange> changes, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(changes);
        var pending = changes.Any(c => c.Kind != FileChangeKind.MetadataChanged && spec.Inputs.Contains(c.Path));
        var (action, _, reason) = await DecideAsync(host, spec, pending, redactor, cancellationToken).ConfigureAwait(false);
        return action == ServiceAction.None ? null : $"would {(action == ServiceAction.Start ? "start" : "restart")} {spec.Unit} ({reason})";
    }

    /// <summary>Makes the service enabled and running on its current files; returns what it did, one line each.</summary>
    /// <param name="unitFilesChanged">A unit file was written in this run: systemd must reload before anything starts.</param>
    /// <param name="waitAfterStart">Wait for health after a fresh start too (not for etcd members of a new cluster, which need each other).</param>
    /// <exception cref="ServiceException">The service did not become healthy in time.</exception>
    public static async Task<IReadOnlyList<string>> EnsureAsync(
        IRemoteHost host, ServiceSpec spec, bool unitFilesChanged, bool waitAfterStart, SemaphoreSlim rolling, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rolling);
        var (action, status, reason) = await DecideAsync(host, spec, inputsPending: false, redactor, cancellationToken).ConfigureAwait(false);
        var done = new List<string>();
        if (unitFilesChanged || status.NeedDaemonReload)
        {
            await host.RunCheckedAsync(new RemoteCommand(["systemctl", "daemon-reload"], sudo: true), redactor, cancellationToken).ConfigureAwait(false);
        }

        if (!status.Enabled)
        {
            await host.RunCheckedAsync(new RemoteCommand(["systemctl", "enable", "--quiet", spec.Unit], sudo: true), redactor, cancellationToken).ConfigureAwait(false);
            done.Add($"enabled {spec.Unit}");
        }

        switch (action)
        {
            case ServiceAction.Start:
                if (status.ActiveState == "failed")
                {
                    // A unit that hit its start limit refuses even a manual start until reset.
                    await host.RunCheckedAsync(new RemoteCommand(["systemctl", "reset-failed", spec.Unit], sudo: true), redactor, cancellationToken).ConfigureAwait(false);
                }

                await host.RunCheckedAsync(new RemoteCommand(["systemctl", "start", "--no-block", spec.Unit], sudo: true), redactor, cancellationToken).ConfigureAwait(false);
                done.Add($"started {spec.Unit} ({reason})");
                if (waitAfterStart)
                {
                    await WaitHealthyAsync(host, spec, redactor, cancellationToken).ConfigureAwait(false);
                }

                break;
            case ServiceAction.Restart:
                await rolling.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await host.RunCheckedAsync(new RemoteCommand(["systemctl", "restart", "--no-block", spec.Unit], sudo: true), redactor, cancellationToken).ConfigureAwait(false);
                    done.Add($"restarted {spec.Unit} ({reason})");
                    await WaitHealthyAsync(host, spec, redactor, cancellationToken, replacing: status.InvocationId).ConfigureAwait(false);
                    await Task.Delay(spec.HoldAfterRestart, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    rolling.Release();
                }

                break;
        }

        return done;
    }

    /// <summary>Polls the health command until it succeeds; on timeout the error ends with the unit's journal.</summary>
    /// <param name="replacing">
    /// The invocation a restart replaces: until the unit runs another one, the process answering is the
    /// old one (still stopping), so its health says nothing yet.
    /// </param>
    /// <exception cref="ServiceException">Not healthy within <see cref="ServiceSpec.HealthTimeout"/>.</exception>
    public static async Task WaitHealthyAsync(
        IRemoteHost host, ServiceSpec spec, SecretRedactor redactor, CancellationToken cancellationToken, string? replacing = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(spec);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(spec.HealthTimeout);
        CommandResult? last = null;
        var stopping = !string.IsNullOrEmpty(replacing);
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
                }

                await Task.Delay(spec.PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The deadline passed; report below.
        }

        var journal = await host.RunAsync(
            new RemoteCommand(["journalctl", "--no-pager", "--output=short-iso", "-n", "25", "-u", spec.Unit], sudo: true), cancellationToken).ConfigureAwait(false);
        var check = stopping ? "the process it replaces is still stopping"
            : last is null ? "no answer"
            : $"exit {last.ExitCode}: {FirstLine(last.Stderr.Length > 0 ? last.Stderr : last.Stdout)}";
        throw new ServiceException(redactor.Redact(
            $"{host.Name}: {spec.Component} is not healthy after {spec.HealthTimeout.TotalSeconds:0} s ({spec.Health.ToDisplayString(redactor)} → {check}). "
            + $"Last lines of its journal (journalctl -u {spec.Unit}):\n{journal.Stdout.TrimEnd()}"));
    }

    private static async Task<ServiceStatus> StatusAsync(IRemoteHost host, string unit, SecretRedactor redactor, CancellationToken cancellationToken)
    {
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

    private static string FirstLine(string text) => text.Trim().Split('\n')[0];
}
