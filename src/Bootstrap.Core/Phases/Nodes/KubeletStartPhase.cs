using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// Joins a host as a node the way <c>kubeadm join</c> does, without kubeadm: containerd's configuration,
/// the CNI network, the KubeletConfiguration and the kubelet unit; then, if the host has no
/// /etc/kubernetes/kubelet.conf yet, a bootstrap token made for this join (a Secret expiring after
/// <see cref="TokenTtl"/>) in bootstrap-kubelet.conf. The kubelet makes its own key and gets its client
/// certificate by CSR (approved automatically through the bootstrap-token RBAC); no client certificate
/// is ever pushed. Once the Node is Ready the bootstrap kubeconfig and the token are deleted.
/// A node that already has kubelet.conf gets no token: it is only kept running and checked Ready.
/// </summary>
internal sealed class KubeletStartPhase : IPhase
{
    public static readonly TimeSpan TokenTtl = TimeSpan.FromMinutes(15);

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan SignedTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly NodeSession _session;
    private readonly SemaphoreSlim _rolling = new(1, 1);

    public KubeletStartPhase(NodeSession session) => _session = session;

    public string Name => "kubelet-start";

    public string Description => "Run containerd and the kubelet on every node; a kubelet without kubelet.conf joins with a new short-lived bootstrap token (TLS bootstrap)";

    public IReadOnlyList<IPhase> Children => [];

    public IReadOnlyList<HostSpec> Targets(ClusterConfig config) => ClusterNodes.Of(config);

    public Task<bool> NeedsRunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken) => Task.FromResult(true);

    public async Task<PhaseResult> RunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(host);
        var spec = context.Config.Hosts.Single(h => h.Name == host.Name);
        var material = await _session.Install.MaterialAsync(context, cancellationToken).ConfigureAwait(false);
        var files = NodeInstallFiles.Kubelet(material, _session.Files, spec);
        var changes = await RemoteFiles.ApplyAsync(host, files, context.DryRun, context.Redactor, cancellationToken).ConfigureAwait(false);
        var details = changes.Select(c => c.Describe(context.DryRun)).ToList();
        details.AddRange(await NodePreparation.StaticPodDirAsync(context, host, cancellationToken).ConfigureAwait(false));
        var joined = (await host.RunAsync(new RemoteCommand(["test", "-f", NodeLayout.KubeletKubeconfig], sudo: true), cancellationToken).ConfigureAwait(false)).Succeeded;

        if (context.DryRun)
        {
            foreach (var service in new[] { NodeServices.Containerd(), NodeServices.Kubelet(!joined) })
            {
                if (await ServiceControl.PlanAsync(host, service, changes, context.Redactor, cancellationToken).ConfigureAwait(false) is { } planned)
                {
                    details.Add(planned);
                }
            }

            if (!joined)
            {
                details.Add($"would join with a new bootstrap token valid for {TokenTtl.TotalMinutes:0} minutes");
            }

            return new PhaseResult { Changed = details.Count > 0, Details = details };
        }

        var api = await _session.ApiAsync(context, cancellationToken).ConfigureAwait(false);
        var unitFilesChanged = changes.Any(c => c.Path.StartsWith(InstallFiles.SystemdDir + "/", StringComparison.Ordinal));
        BootstrapToken? token = null;
        try
        {
            details.AddRange(await ServiceControl.EnsureAsync(host, NodeServices.Containerd(), unitFilesChanged, true, _rolling, context.Redactor, cancellationToken)
                .ConfigureAwait(false));
            if (!joined)
            {
                token = BootstrapToken.Generate();
                context.Redactor.Register(token.Value);
                context.Redactor.Register(token.Secret);
                await api.CreateSecretAsync(
                    token.ToSecret(context.Time, TokenTtl, $"Bootstrap: TLS bootstrap of the kubelet on {spec.Name}"), cancellationToken).ConfigureAwait(false);
                details.Add($"created bootstrap token {token.Id} (expires in {TokenTtl.TotalMinutes:0} minutes)");
                var bootstrap = NodeInstallFiles.BootstrapKubeconfig(material, token);
                await RemoteFiles.ApplyAsync(host, [bootstrap], dryRun: false, context.Redactor, cancellationToken).ConfigureAwait(false);
                details.Add($"wrote {bootstrap.Path}");
            }

            details.AddRange(await ServiceControl.EnsureAsync(host, NodeServices.Kubelet(!joined), unitFilesChanged, true, _rolling, context.Redactor, cancellationToken)
                .ConfigureAwait(false));
            var ready = await WaitReadyAsync(api, spec.Name, cancellationToken).ConfigureAwait(false);
            if (ready is not null)
            {
                var hint = joined && token is null
                    ? $" ({NodeLayout.KubeletKubeconfig} exists, so no bootstrap token was made; if it belongs to an earlier cluster, stop the kubelet and remove it to join again)"
                    : string.Empty;
                return PhaseResult.Failed($"node {spec.Name} is not Ready after {ReadyTimeout.TotalMinutes:0} minutes: {ready}{hint}", details);
            }

            if (token is not null)
            {
                // The kubelet does not need the signature (its bootstrap kubeconfig carries the CA), but a
                // stock `kubeadm join` does: checked once the node is Ready, when the signer has long had time.
                await WaitSignedAsync(api, token, cancellationToken).ConfigureAwait(false);
                details.Add($"cluster-info is signed for token {token.Id} (jws-kubeconfig-{token.Id})");
                await host.RunCheckedAsync(new RemoteCommand(["rm", "-f", "--", NodeLayout.BootstrapKubeletKubeconfig], sudo: true), context.Redactor, cancellationToken)
                    .ConfigureAwait(false);
                await api.DeleteSecretAsync(token.SecretName, KubeadmObjectNames.KubeSystem, cancellationToken).ConfigureAwait(false);
                details.Add($"node {spec.Name} joined and is Ready; deleted its bootstrap token and {NodeLayout.BootstrapKubeletKubeconfig}");
                _session.MarkJoined(spec.Name, token.Id);
                token = null;
            }
        }
        catch (ServiceException e)
        {
            return PhaseResult.Failed(e.Message, details);
        }
        catch (TimeoutException e)
        {
            return PhaseResult.Failed(e.Message, details);
        }

        return details.Count > 0
            ? new PhaseResult { Changed = true, Details = details }
            : PhaseResult.Unchanged($"node {spec.Name} is Ready");
    }

    /// <summary>The bootstrap signer (in the controller manager) adds a signature of cluster-info for every signing token; a stock kubeadm join needs it.</summary>
    private static async Task WaitSignedAsync(ClusterApi api, BootstrapToken token, CancellationToken cancellationToken)
    {
        var key = "jws-kubeconfig-" + token.Id;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(SignedTimeout);
        try
        {
            while (true)
            {
                var info = await api.ConfigMapAsync(KubeadmObjectNames.ClusterInfoConfigMap, KubeadmObjectNames.KubePublic, deadline.Token).ConfigureAwait(false);
                if (info?.Data?.ContainsKey(key) == true)
                {
                    return;
                }

                await Task.Delay(PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"cluster-info in kube-public has no {key} after {SignedTimeout.TotalSeconds:0} s: is kube-controller-manager running with the bootstrapsigner controller?");
        }
    }

    /// <summary>Null once the Node is Ready, else its last state.</summary>
    private static async Task<string?> WaitReadyAsync(ClusterApi api, string name, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ReadyTimeout);
        var last = "not registered";
        try
        {
            while (true)
            {
                var node = await api.NodeAsync(name, deadline.Token).ConfigureAwait(false);
                if (NodeConditions.IsReady(node))
                {
                    return null;
                }

                last = NodeConditions.Describe(node);
                await Task.Delay(PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return last;
        }
    }
}
