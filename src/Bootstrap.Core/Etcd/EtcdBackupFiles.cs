using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Etcd;

/// <summary>
/// The scheduled backup of one etcd member (<c>spec.etcd.backup</c>): a script that saves a snapshot from the local
/// member with the healthcheck client certificate and keeps the newest <see cref="EtcdBackupSpec.Keep"/>, the oneshot
/// service that runs it and the timer that starts the service.
/// </summary>
internal sealed class EtcdBackupFiles(TemplateRenderer renderer)
{
    public const string Script = "/usr/local/sbin/etcd-backup";
    public const string Service = "etcd-backup.service";
    public const string Timer = "etcd-backup.timer";

    private const int RootOnly = 0b111_000_000;
    private const int Public = 0b110_100_100;

    /// <summary>The snapshots of <paramref name="member"/> are named <c>PREFIX-20261201T020000Z.db</c>.</summary>
    public static string Prefix(ClusterConfig config, HostSpec member)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(member);
        return $"{config.Name}-{member.Name}";
    }

    public IReadOnlyList<DesiredFile> For(ClusterConfig config, HostSpec member, EtcdBackupSpec backup)
    {
        var (script, service, timer) = Render(config, member, backup);
        return
        [
            DesiredFile.FromText(new FileSpec(Script, RootOnly), script),
            DesiredFile.FromText(new FileSpec(InstallFiles.SystemdDir + "/" + Service, Public), service),
            DesiredFile.FromText(new FileSpec(InstallFiles.SystemdDir + "/" + Timer, Public), timer),
        ];
    }

    /// <summary>The script, service and timer of <paramref name="member"/>; etcdctl as on a member unless <paramref name="etcdctl"/> and <paramref name="endpoint"/> say otherwise (tests).</summary>
    public (string Script, string Service, string Timer) Render(ClusterConfig config, HostSpec member, EtcdBackupSpec backup, EtcdctlSettings? etcdctl = null, string? endpoint = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(backup);
        var settings = etcdctl ?? EtcdctlSettings.OnMember;
        var model = new EtcdBackupModel(
            member.Name,
            config.Name,
            ShellQuote.Quote(backup.Directory),
            backup.Keep,
            Prefix(config, member),
            ShellQuote.Quote(settings.Program),
            ShellQuote.Quote(endpoint ?? EtcdClient.LoopbackUrl(member)),
            ShellQuote.Quote(settings.CaCert),
            ShellQuote.Quote(settings.ClientCert),
            ShellQuote.Quote(settings.ClientKey),
            Script,
            backup.Schedule);
        return (renderer.Render("etcd-backup.sh.sbn", model), renderer.Render("etcd-backup.service.sbn", model), renderer.Render("etcd-backup.timer.sbn", model));
    }

    /// <summary>What the backup templates need; paths and URLs already quoted for the shell.</summary>
    private sealed record EtcdBackupModel(
        string HostName, string ClusterName, string Directory, int Keep, string Prefix, string Etcdctl, string Endpoint, string CaCert, string Cert, string Key, string Script, string Schedule);
}
