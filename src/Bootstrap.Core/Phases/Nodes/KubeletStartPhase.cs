using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Phases.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// Joins a host as a node the way <c>kubeadm join</c> does, without kubeadm: the KubeletConfiguration and the
/// kubelet unit (containerd runs already: <see cref="ContainerdPhase"/>); then, if the host has no
/// /etc/kubernetes/kubelet.conf yet, a bootstrap token made for this join (a Secret expiring after
/// <see cref="TokenTtl"/>) in bootstrap-kubelet.conf. The kubelet makes its own key and gets its client
/// certificate by CSR (approved automatically through the bootstrap-token RBAC); no client certificate
/// is ever pushed. Once the Node is registered the bootstrap kubeconfig and the token are deleted.
/// A node that already has kubelet.conf gets no token: it is only kept running and checked registered.
/// Ready comes later: the Node needs a pod network, whose configuration is written from the pod range the
/// controller manager allocates on registration (<see cref="PodNetworkPhase"/>), or the admin's CNI.
/// Restarts of running kubelets roll one node at a time.
/// </summary>
internal sealed class KubeletStartPhase() : HostPhase("kubelet-start", "Run the kubelet on every node; a kubelet without kubelet.conf joins with a new short-lived bootstrap token (TLS bootstrap) and registers its Node")
{
    public static readonly TimeSpan TokenTtl = TimeSpan.FromMinutes(15);

    private static readonly TimeSpan RegisteredTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan SignedTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly NodeFiles _files = new(new Rendering.TemplateRenderer());

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Nodes;

    protected override async Task<TargetPlan> PlanAsync(HostPlanning target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var (host, view) = (target.Host, target.View);
        var material = await target.MaterialAsync(cancellationToken).ConfigureAwait(false);
        var joined = (await view.QueryAsync(new RemoteCommand(["test", "-f", NodeLayout.KubeletKubeconfig], sudo: true), cancellationToken).ConfigureAwait(false)).Succeeded;
        var kubelet = ServiceCatalog.Kubelet(joining: !joined);
        var (files, notes) = await target.OwnFilesAsync(material, NodeInstallFiles.Kubelet(material, _files, host), [kubelet], cancellationToken).ConfigureAwait(false);
        var changes = new List<Change>(files);
        if (await HostPreparation.DirectoryAsync(view, NodeLayout.StaticPodDir, "0755", "root", cancellationToken).ConfigureAwait(false) is { } manifests)
        {
            // kubeadm creates it on every node: without it the kubelet logs an error every second. Bootstrap puts no static pods there.
            changes.Add(manifests);
        }

        var units = await ServiceControl.PlanAsync(view, [kubelet], files, waitAfterStart: true, cancellationToken).ConfigureAwait(false);
        if (joined)
        {
            changes.AddRange(units);
            return new TargetPlan
            {
                Changes = changes,
                Notes = notes,
                Rolling = ServiceControl.Restarts(changes),
                VerifyDescription = $"would check that node {host.Name} is registered",
                Verify = async (apply, ct) =>
                {
                    var client = await apply.Run.Api.ClientAsync(apply, ct).ConfigureAwait(false);
                    if (!await WaitRegisteredAsync(client, host.Name, apply.Time, ct).ConfigureAwait(false))
                    {
                        throw new PhaseFailedException(
                            $"node {host.Name} is not registered after {RegisteredTimeout.TotalMinutes:0} minutes ({NodeLayout.KubeletKubeconfig} exists, so no bootstrap token was made; "
                            + "if it belongs to an earlier cluster, stop the kubelet and remove it to join again)");
                    }

                    return [$"node {host.Name} is registered"];
                },
            };
        }

        // Joining starts the kubelet on its bootstrap kubeconfig; its start or restart is the join.
        changes.AddRange(units.Where(c => c.Target != kubelet.Unit || c.Kind is not (ChangeKind.UnitStart or ChangeKind.UnitRestart)));
        changes.Add(new Change
        {
            Host = host.Name,
            Kind = ChangeKind.NodeJoin,
            Target = $"node {host.Name}",
            Reason = $"no {NodeLayout.KubeletKubeconfig}: TLS bootstrap with a new bootstrap token valid for {TokenTtl.TotalMinutes:0} minutes",
            Apply = (apply, ct) => JoinAsync(apply, material, host, kubelet, ct),
        });
        return new TargetPlan { Changes = changes, Notes = notes, Rolling = ServiceControl.Restarts(changes) };
    }

    private static async Task<IReadOnlyList<string>> JoinAsync(ApplyContext apply, InstallMaterial material, HostSpec host, ServiceSpec kubelet, CancellationToken cancellationToken)
    {
        var remote = apply.Host(host.Name);
        var api = await apply.Run.Api.ClientAsync(apply, cancellationToken).ConfigureAwait(false);
        var details = new List<string>();
        var token = BootstrapToken.Generate();
        apply.Redactor.Register(token.Value);
        apply.Redactor.Register(token.Secret);
        await api.CreateSecretAsync(token.ToSecret(apply.Time, TokenTtl, $"Bootstrap: TLS bootstrap of the kubelet on {host.Name}"), cancellationToken).ConfigureAwait(false);
        details.Add($"created bootstrap token {token.Id} (expires in {TokenTtl.TotalMinutes:0} minutes)");
        var bootstrap = NodeInstallFiles.BootstrapKubeconfig(material, token);
        await using (var content = await bootstrap.Open(cancellationToken).ConfigureAwait(false))
        {
            await remote.UploadAsync(content, bootstrap.Spec, cancellationToken).ConfigureAwait(false);
        }

        details.Add($"wrote {bootstrap.Path}");
        await remote.RunCheckedAsync(new RemoteCommand(["systemctl", "restart", "--no-block", kubelet.Unit], sudo: true), apply.Redactor, cancellationToken).ConfigureAwait(false);
        details.Add($"started {kubelet.Unit} on its bootstrap kubeconfig");
        await ServiceControl.WaitHealthyAsync(remote, kubelet, apply.Redactor, apply.Time, cancellationToken).ConfigureAwait(false);
        if (!await WaitRegisteredAsync(api, host.Name, apply.Time, cancellationToken).ConfigureAwait(false))
        {
            throw new PhaseFailedException($"node {host.Name} is not registered after {RegisteredTimeout.TotalMinutes:0} minutes: its kubelet got no client certificate or cannot reach the API");
        }

        // The kubelet does not need the signature (its bootstrap kubeconfig carries the CA), but a
        // stock `kubeadm join` does: checked once the node is registered, when the signer has long had time.
        await WaitSignedAsync(api, token, apply.Time, cancellationToken).ConfigureAwait(false);
        details.Add($"cluster-info is signed for token {token.Id} (jws-kubeconfig-{token.Id})");
        await remote.RunCheckedAsync(new RemoteCommand(["rm", "-f", "--", NodeLayout.BootstrapKubeletKubeconfig], sudo: true), apply.Redactor, cancellationToken).ConfigureAwait(false);
        await api.DeleteSecretAsync(token.SecretName, KubeadmObjectNames.KubeSystem, cancellationToken).ConfigureAwait(false);
        details.Add($"node {host.Name} joined (registered with its own client certificate); deleted its bootstrap token and {NodeLayout.BootstrapKubeletKubeconfig}");
        apply.Run.Joined.Add(host.Name, token.Id);
        return details;
    }

    /// <summary>The bootstrap signer (in the controller manager) adds a signature of cluster-info for every signing token; a stock kubeadm join needs it.</summary>
    private static async Task WaitSignedAsync(ClusterApi api, BootstrapToken token, TimeProvider time, CancellationToken cancellationToken)
    {
        var key = "jws-kubeconfig-" + token.Id;
        var deadline = time.GetUtcNow() + SignedTimeout;
        while (true)
        {
            var info = await api.ConfigMapAsync(KubeadmObjectNames.ClusterInfoConfigMap, KubeadmObjectNames.KubePublic, cancellationToken).ConfigureAwait(false);
            if (info?.Data?.ContainsKey(key) == true)
            {
                return;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new PhaseFailedException(
                    $"cluster-info in kube-public has no {key} after {SignedTimeout.TotalSeconds:0} s: is kube-controller-manager running with the bootstrapsigner controller?");
            }

            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the Node exists within <see cref="RegisteredTimeout"/>: the kubelet registers it with its own client certificate.</summary>
    private static async Task<bool> WaitRegisteredAsync(IClusterReader api, string name, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + RegisteredTimeout;
        while (true)
        {
            if (await api.NodeAsync(name, cancellationToken).ConfigureAwait(false) is not null)
            {
                return true;
            }

            if (time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
