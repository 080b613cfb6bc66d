using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>Directories a node needs that no file of its own creates.</summary>
internal static class NodePreparation
{
    /// <summary>
    /// The kubelet's static pod directory (kubeadm creates it on every node): without it the kubelet
    /// logs an error every second. Bootstrap puts no static pods there.
    /// </summary>
    public static async Task<IReadOnlyList<string>> StaticPodDirAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(host);
        var exists = await host.RunAsync(new RemoteCommand(["test", "-d", NodeLayout.StaticPodDir], sudo: true), cancellationToken).ConfigureAwait(false);
        if (exists.Succeeded)
        {
            return [];
        }

        if (!context.DryRun)
        {
            await host.RunCheckedAsync(new RemoteCommand(["install", "-d", "-m", "0755", "--", NodeLayout.StaticPodDir], sudo: true), context.Redactor, cancellationToken)
                .ConfigureAwait(false);
        }

        return [$"{(context.DryRun ? "would create" : "created")} {NodeLayout.StaticPodDir}"];
    }
}
