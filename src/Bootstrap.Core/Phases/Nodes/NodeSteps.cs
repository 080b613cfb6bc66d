using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>The node phases that fit an <see cref="InstallStep"/>: files plus a service, nothing else.</summary>
internal static class NodeSteps
{
    // A plan before upload-config ran (or before the API answers): no ServiceAccount token yet, so the kubeconfig would be created.
    private const string ConntrackMax = "/proc/sys/net/netfilter/nf_conntrack_max";

    private const string DryRunToken = "token-of-the-kube-proxy-service-account";

    /// <summary>
    /// kube-proxy as a systemd unit on every node (kubeadm runs it as a DaemonSet; no image can be pulled
    /// here). It authenticates with the kube-proxy ServiceAccount's token, the identity kubeadm's DaemonSet
    /// has, bound to system:node-proxier by the upload-config objects.
    /// </summary>
    public static InstallStep KubeProxy(NodeSession session) => new()
    {
        Name = "kube-proxy",
        Description = "Run kube-proxy on every node, with the kube-proxy ServiceAccount's token",
        Targets = ClusterNodes.Of,
        Files = async (context, material, host, remote, ct) =>
        {
            var api = await session.ApiOrNullInPlanAsync(context, ct).ConfigureAwait(false);
            var token = api is null ? DryRunToken
                : context.DryRun ? await api.ServiceAccountTokenAsync(KubeadmObjectNames.KubeProxyName, KubeadmObjectNames.KubeSystem, ct).ConfigureAwait(false) ?? DryRunToken
                : await ServiceAccountTokenAsync(api, ct).ConfigureAwait(false);
            context.Redactor.Register(token);
            var conntrack = await remote.RunAsync(new RemoteCommand(["test", "-w", ConntrackMax], sudo: true), ct).ConfigureAwait(false);
            return NodeInstallFiles.KubeProxy(material, session.Files, host, token, conntrack.Succeeded);
        },
        Services = (_, _) => [NodeServices.KubeProxy()],
    };

    // The token controller creates the Secret shortly after the ServiceAccount.
    private static async Task<string> ServiceAccountTokenAsync(ClusterApi api, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 30; attempt++)
        {
            if (await api.ServiceAccountTokenAsync(KubeadmObjectNames.KubeProxyName, KubeadmObjectNames.KubeSystem, cancellationToken).ConfigureAwait(false) is { } token)
            {
                return token;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException("the kube-proxy ServiceAccount has no token Secret after 30 s: is kube-controller-manager running with its service-account key?");
    }
}
