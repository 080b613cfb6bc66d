using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Install;

/// <summary>Small host changes some phases need first, planned like files: the etcd user, a directory with its mode, the load balancer's interface.</summary>
internal static class HostPreparation
{
    /// <summary>The etcd system user (etcd reads its key pairs as that user), when it is missing.</summary>
    public static async Task<Change?> EtcdUserAsync(HostView view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var exists = await view.QueryAsync(new RemoteCommand(["id", "-u", InstallFiles.EtcdUser]), cancellationToken).ConfigureAwait(false);
        return exists.Succeeded ? null : new Change
        {
            Host = view.Name,
            Kind = ChangeKind.UserCreate,
            Target = InstallFiles.EtcdUser,
            Apply = async (apply, ct) =>
            {
                await apply.Host(view.Name).RunCheckedAsync(
                    new RemoteCommand(
                        ["useradd", "--system", "--user-group", "--home-dir", KubeadmLayout.EtcdDataDir, "--no-create-home", "--shell", "/usr/sbin/nologin", InstallFiles.EtcdUser],
                        sudo: true),
                    apply.Redactor,
                    ct).ConfigureAwait(false);
                return [];
            },
        };
    }

    /// <summary>A directory with its mode and owner (created when missing), when it is not so.</summary>
    public static async Task<Change?> DirectoryAsync(HostView view, string path, string mode, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var stat = await view.QueryAsync(new RemoteCommand(["stat", "-c", "%a %U %G", "--", path], sudo: true), cancellationToken).ConfigureAwait(false);
        var wanted = $"{mode.TrimStart('0')} {owner} {owner}";
        if (stat.Succeeded && stat.Stdout.Trim() == wanted)
        {
            return null;
        }

        return new Change
        {
            Host = view.Name,
            Kind = ChangeKind.DirectoryCreate,
            Target = path,
            From = stat.Succeeded ? stat.Stdout.Trim() : null,
            To = $"{mode} {owner}:{owner}",
            Apply = async (apply, ct) =>
            {
                await apply.Host(view.Name).RunCheckedAsync(new RemoteCommand(["install", "-d", "-m", mode, "-o", owner, "-g", owner, "--", path], sudo: true), apply.Redactor, ct)
                    .ConfigureAwait(false);
                return [];
            },
        };
    }

    /// <summary>The interface holding the host's address (for keepalived when the cluster file names none).</summary>
    /// <exception cref="PhaseFailedException">No interface has that address.</exception>
    public static async Task<string> InterfaceOfAsync(HostView view, string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var result = await view.QueryCheckedAsync(new RemoteCommand(["ip", "-o", "-4", "addr", "show"]), cancellationToken).ConfigureAwait(false);
        foreach (var line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "2: eth0    inet 192.168.56.11/24 brd 192.168.56.255 scope global eth0 ..."
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var inet = Array.IndexOf(words, "inet");
            if (words.Length > 1 && inet > 0 && inet + 1 < words.Length && words[inet + 1].StartsWith(address + "/", StringComparison.Ordinal))
            {
                return words[1].TrimEnd(':').Split('@')[0];
            }
        }

        throw new PhaseFailedException($"{view.Name}: no network interface holds {address}; set spec.loadBalancer.interface");
    }
}
