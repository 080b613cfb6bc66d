using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// <c>kube-proxy</c> as a systemd unit on every node (kubeadm runs it as a DaemonSet; no image can be pulled here).
/// It authenticates with the kube-proxy ServiceAccount's token, the identity kubeadm's DaemonSet has, bound to
/// system:node-proxier by the upload-config objects.
/// </summary>
internal sealed class KubeProxyPhase() : ServicePhase("kube-proxy", "Run kube-proxy on every node, with the kube-proxy ServiceAccount's token")
{
    // A plan before upload-config ran (or before the API answers): no ServiceAccount token yet, so the kubeconfig would be created.
    private const string DryRunToken = "token-of-the-kube-proxy-service-account";
    private const string ConntrackMax = "/proc/sys/net/netfilter/nf_conntrack_max";
    private static readonly TimeSpan TokenWait = TimeSpan.FromSeconds(30);

    private readonly NodeFiles _files = new(new Rendering.TemplateRenderer());

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Nodes;

    protected override IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host) => [ServiceCatalog.KubeProxy()];

    protected override async Task<IReadOnlyList<DesiredFile>> FilesAsync(HostPlanning host, InstallMaterial material, CancellationToken cancellationToken)
    {
        var context = host.Context;
        var api = await context.Api.ReaderAsync(context, cancellationToken).ConfigureAwait(false);
        var token = api is null ? DryRunToken
            : context.DryRun ? await api.ServiceAccountTokenAsync(KubeadmObjectNames.KubeProxyName, KubeadmObjectNames.KubeSystem, cancellationToken).ConfigureAwait(false) ?? DryRunToken
            : await ServiceAccountTokenAsync(api, host.Waiting, cancellationToken).ConfigureAwait(false);
        context.Redactor.Register(token);
        var conntrack = await host.View.QueryAsync(new RemoteCommand(["test", "-w", ConntrackMax], sudo: true), cancellationToken).ConfigureAwait(false);
        return NodeInstallFiles.KubeProxy(material, _files, host.Host, token, conntrack.Succeeded);
    }

    // The token controller creates the Secret shortly after the ServiceAccount.
    private static async Task<string> ServiceAccountTokenAsync(IClusterReader api, Waiting waiting, CancellationToken cancellationToken)
    {
        using var wait = waiting.Begin();
        var deadline = waiting.Time.GetUtcNow() + TokenWait;
        while (true)
        {
            if (await api.ServiceAccountTokenAsync(KubeadmObjectNames.KubeProxyName, KubeadmObjectNames.KubeSystem, cancellationToken).ConfigureAwait(false) is { } token)
            {
                return token;
            }

            if (waiting.Time.GetUtcNow() >= deadline)
            {
                throw new PhaseFailedException(
                    $"the kube-proxy ServiceAccount has no token Secret after {TokenWait.TotalSeconds:0} s: is kube-controller-manager running with its service-account key?");
            }

            await wait.DelayAsync(ApiPolling.Interval, cancellationToken).ConfigureAwait(false);
        }
    }
}
