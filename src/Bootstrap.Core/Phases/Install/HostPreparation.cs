using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Install;

/// <summary>Small idempotent host changes some phases need first: the etcd user and data directory, the load balancer's interface.</summary>
internal static class HostPreparation
{
    /// <summary>The etcd system user (etcd reads its key pairs as that user).</summary>
    public static async Task<IReadOnlyList<string>> EtcdUserAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken)
    {
        var exists = await host.RunAsync(new RemoteCommand(["id", "-u", InstallFiles.EtcdUser]), cancellationToken).ConfigureAwait(false);
        if (exists.Succeeded)
        {
            return [];
        }

        if (!context.DryRun)
        {
            await host.RunCheckedAsync(
                new RemoteCommand(
                    ["useradd", "--system", "--user-group", "--home-dir", KubeadmLayout.EtcdDataDir, "--no-create-home", "--shell", "/usr/sbin/nologin", InstallFiles.EtcdUser],
                    sudo: true),
                context.Redactor,
                cancellationToken).ConfigureAwait(false);
        }

        return [context.DryRun ? $"would create the system user {InstallFiles.EtcdUser}" : $"created the system user {InstallFiles.EtcdUser}"];
    }

    /// <summary>The etcd user and its data directory, 0700 etcd:etcd.</summary>
    public static async Task<IReadOnlyList<string>> EtcdAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken)
    {
        var done = new List<string>(await EtcdUserAsync(context, host, cancellationToken).ConfigureAwait(false));
        var stat = await host.RunAsync(new RemoteCommand(["stat", "-c", "%a %U %G", "--", KubeadmLayout.EtcdDataDir], sudo: true), cancellationToken).ConfigureAwait(false);
        var wanted = $"700 {InstallFiles.EtcdUser} {InstallFiles.EtcdUser}";
        if (stat.Succeeded && stat.Stdout.Trim() == wanted)
        {
            return done;
        }

        if (!context.DryRun)
        {
            await host.RunCheckedAsync(
                new RemoteCommand(["install", "-d", "-m", "0700", "-o", InstallFiles.EtcdUser, "-g", InstallFiles.EtcdUser, "--", KubeadmLayout.EtcdDataDir], sudo: true),
                context.Redactor,
                cancellationToken).ConfigureAwait(false);
        }

        done.Add($"{(context.DryRun ? "would set" : "set")} {KubeadmLayout.EtcdDataDir} to 0700 {InstallFiles.EtcdUser}:{InstallFiles.EtcdUser}");
        return done;
    }

    /// <summary>The interface holding the host's address (for keepalived when the cluster file names none).</summary>
    /// <exception cref="InvalidOperationException">No interface has that address.</exception>
    public static async Task<string> InterfaceOfAsync(IRemoteHost host, string address, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        var result = await host.RunCheckedAsync(new RemoteCommand(["ip", "-o", "-4", "addr", "show"]), redactor, cancellationToken).ConfigureAwait(false);
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

        throw new InvalidOperationException($"{host.Name}: no network interface holds {address}; set spec.loadBalancer.interface");
    }
}
