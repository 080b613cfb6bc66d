using Bootstrap.Core.Config;
using Bootstrap.Core.Etcd;
using Bootstrap.Core.Install;
using Bootstrap.Core.Phases.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Etcd;

/// <summary>
/// <c>etcd/backup</c>: with <c>spec.etcd.backup</c>, every member gets a timer that saves a snapshot of etcd into a
/// directory of the host on the schedule and keeps the newest ones (<see cref="EtcdBackupFiles"/>); the schedule is
/// checked by the host's systemd first. Without it, a timer an earlier run installed is stopped and its units and
/// script removed (the snapshots stay).
/// </summary>
internal sealed class EtcdBackupPhase()
    : ServicePhase("backup", "Scheduled etcd snapshots on every member (spec.etcd.backup): a systemd timer, a directory, the newest kept")
{
    private static readonly ServiceSpec TimerService = new()
    {
        Unit = EtcdBackupFiles.Timer,
        Component = "etcd-backup.timer",
        Inputs = [InstallFiles.SystemdDir + "/" + EtcdBackupFiles.Timer],
        Health = new RemoteCommand(["systemctl", "is-active", "--quiet", EtcdBackupFiles.Timer]),
        HealthTimeout = TimeSpan.FromSeconds(30),
    };

    private readonly EtcdBackupFiles _files = new(new Rendering.TemplateRenderer());

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.EtcdMembers;

    protected override async Task<TargetPlan> PlanAsync(HostPlanning host, CancellationToken cancellationToken)
    {
        var view = host.View;
        if (host.Config.Etcd.Backup is not { } backup)
        {
            return await RemovalAsync(view, cancellationToken).ConfigureAwait(false);
        }

        var calendar = await view.QueryAsync(new RemoteCommand(["systemd-analyze", "calendar", "--", backup.Schedule]), cancellationToken).ConfigureAwait(false);
        if (!calendar.Succeeded)
        {
            return TargetPlan.Refuse($"spec.etcd.backup.schedule {Config.InputQuote.Quote(backup.Schedule)} is not a calendar event this host's systemd accepts: "
                + EtcdClient.Reason(calendar));
        }

        return await base.PlanAsync(host, cancellationToken).ConfigureAwait(false);
    }

    protected override IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host) => [TimerService];

    protected override Task<IReadOnlyList<DesiredFile>> FilesAsync(HostPlanning host, InstallMaterial material, CancellationToken cancellationToken) =>
        Task.FromResult(_files.For(host.Config, host.Host, host.Config.Etcd.Backup!));

    protected override async Task<IReadOnlyList<Change>> PrepareAsync(HostPlanning host, CancellationToken cancellationToken) =>
        await HostPreparation.DirectoryAsync(host.View, host.Config.Etcd.Backup!.Directory, "0700", "root", cancellationToken).ConfigureAwait(false) is { } directory
            ? [directory]
            : [];

    /// <summary>Without <c>spec.etcd.backup</c>: what an earlier run installed goes (timer stopped and disabled, units and script removed).</summary>
    private static async Task<TargetPlan> RemovalAsync(HostView view, CancellationToken cancellationToken)
    {
        string[] paths = [InstallFiles.SystemdDir + "/" + EtcdBackupFiles.Timer, InstallFiles.SystemdDir + "/" + EtcdBackupFiles.Service, EtcdBackupFiles.Script];
        var files = await view.FilesAsync(paths, cancellationToken).ConfigureAwait(false);
        if (files.Values.All(f => f is null))
        {
            return TargetPlan.Nothing();
        }

        var changes = new List<Change>();
        var timer = await view.UnitAsync(EtcdBackupFiles.Timer, cancellationToken).ConfigureAwait(false);
        if (timer.ActiveState is not ("inactive" or "failed" or ""))
        {
            changes.Add(Command(view.Name, ChangeKind.UnitStop, EtcdBackupFiles.Timer, ["systemctl", "stop", EtcdBackupFiles.Timer], "spec.etcd.backup is not set"));
        }

        if (timer.Enabled)
        {
            changes.Add(Command(view.Name, ChangeKind.UnitDisable, EtcdBackupFiles.Timer, ["systemctl", "disable", "--quiet", EtcdBackupFiles.Timer], null));
        }

        changes.AddRange(paths.Where(p => files[p] is not null).Select(p => Command(view.Name, ChangeKind.FileRemove, p, ["rm", "-f", "--", p], "spec.etcd.backup is not set; the snapshots stay")));
        changes.Add(Command(view.Name, ChangeKind.DaemonReload, "systemd's unit files", ["systemctl", "daemon-reload"], "a unit file is removed"));
        return TargetPlan.Of(changes);
    }

    private static Change Command(string host, ChangeKind kind, string target, string[] argv, string? reason) => new()
    {
        Host = host,
        Kind = kind,
        Target = target,
        Reason = reason,
        Apply = async (apply, ct) =>
        {
            await apply.Host(host).RunCheckedAsync(new RemoteCommand(argv, sudo: true), apply.Redactor, ct).ConfigureAwait(false);
            return [];
        },
    };
}
