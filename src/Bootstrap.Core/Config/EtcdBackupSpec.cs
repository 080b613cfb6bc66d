namespace Bootstrap.Core.Config;

/// <summary>
/// <c>spec.etcd.backup</c>: a systemd timer on every etcd member that saves a snapshot of etcd into a directory of the
/// host at each <see cref="Schedule"/> and keeps the newest <see cref="Keep"/>.
/// </summary>
public sealed record EtcdBackupSpec
{
    public const string DefaultSchedule = "daily";
    public const int DefaultKeep = 7;
    public const string DefaultDirectory = "/var/lib/etcd-backup";

    /// <summary>A systemd calendar event (<c>OnCalendar=</c>), e.g. <c>daily</c>, <c>hourly</c>, <c>*-*-* 02:30:00</c>.</summary>
    public string Schedule { get; init; } = DefaultSchedule;

    /// <summary>How many snapshots each member keeps (the oldest are removed after a new one is saved).</summary>
    public int Keep { get; init; } = DefaultKeep;

    /// <summary>An absolute directory on each member (created 0700 root), outside etcd's data directory.</summary>
    public string Directory { get; init; } = DefaultDirectory;
}
