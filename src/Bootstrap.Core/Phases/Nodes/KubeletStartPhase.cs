using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Phases.Install;
using Bootstrap.Core.Phases.Reset;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// Joins a host as a node the way <c>kubeadm join</c> does, without kubeadm: the KubeletConfiguration, the kernel
/// settings its protectKernelDefaults requires (a sysctl.d drop-in, applied before the kubelet starts) and the
/// kubelet unit (containerd runs already: <see cref="ContainerdPhase"/>); then, if the host has no
/// /etc/kubernetes/kubelet.conf yet, a bootstrap token made for this join (a Secret expiring after
/// <see cref="TokenTtl"/>) in bootstrap-kubelet.conf. The kubelet makes its own key and gets its client
/// certificate by CSR; no client certificate is ever pushed. The token is bound to the node: its group is not
/// approved automatically, and Bootstrap approves only this node's client request made with it, denying any
/// other (<see cref="NodeClientCsrPolicy"/>). Once the Node is registered the bootstrap kubeconfig and the token
/// are deleted. A node that already has kubelet.conf gets no token: it is only kept running and checked registered; so does one
/// whose kubelet.conf is gone while its kubelet holds this cluster's client certificate for it (<see cref="KubeletCertificates"/>):
/// kubelet.conf is written from that certificate, as the kubelet writes it (it would never ask for another while that one is valid);
/// one whose kubelet binary is replaced (an upgrade) is drained first and uncordoned once Ready with the new version.
/// Ready comes later for a new node: the Node needs a pod network, whose configuration is written from the pod range
/// the controller manager allocates on registration (<see cref="PodNetworkPhase"/>), or the admin's CNI.
/// Restarts of running kubelets roll one node at a time, control planes first.
/// </summary>
internal sealed class KubeletStartPhase() : HostPhase("kubelet-start", "Run the kubelet on every node; a kubelet without kubelet.conf joins with a new short-lived bootstrap token (TLS bootstrap) and registers its Node")
{
    public static readonly TimeSpan TokenTtl = TimeSpan.FromMinutes(15);

    private static readonly TimeSpan RegisteredTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan SignedTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ClientCsrTimeout = TimeSpan.FromMinutes(2);
    // Slower than ApiPolling.Interval: the bootstrap waits decide the certificate requests on every round (a LIST, maybe approvals),
    // and polled every 500 ms this phase took 0.5 s longer on the lab (4 fresh inits each), while the kubelets were starting.
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly NodeFiles _files = new(new Rendering.TemplateRenderer());

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Nodes;

    protected override async Task<TargetPlan> PlanAsync(HostPlanning target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var (host, view) = (target.Host, target.View);
        var material = await target.MaterialAsync(cancellationToken).ConfigureAwait(false);
        var joined = (await view.QueryAsync(new RemoteCommand(["test", "-f", NodeLayout.KubeletKubeconfig], sudo: true), cancellationToken).ConfigureAwait(false)).Succeeded;

        // Without kubelet.conf, what the kubelet holds decides how it joins: it would use any certificate valid by its dates.
        var held = joined ? null : KubeletCertificates.Judge(
            await view.QueryAsync(KubeletCertificates.ReadCommand, cancellationToken).ConfigureAwait(false),
            ClusterCa(material), host.Name, target.Context.Time.GetUtcNow());
        var rewrite = held?.State == KubeletClientCertificateState.Usable;
        var kubelet = ServiceCatalog.Kubelet(joining: !joined && !rewrite);
        // cat prints the identity files a host has and fails on the others: its output is what counts.
        var identity = await view.QueryAsync(new RemoteCommand(["cat", "--", .. InstanceMetadata.IdentityFiles]), cancellationToken).ConfigureAwait(false);
        var amazonEc2 = InstanceMetadata.IsAmazonEc2(identity.Stdout);
        var (files, notes) = await target.OwnFilesAsync(material, NodeInstallFiles.Kubelet(material, _files, host, amazonEc2), [kubelet], cancellationToken).ConfigureAwait(false);
        var changes = new List<Change>(files);
        if (await HostPreparation.DirectoryAsync(view, NodeLayout.StaticPodDir, "0755", "root", cancellationToken).ConfigureAwait(false) is { } manifests)
        {
            // kubeadm creates it on every node: without it the kubelet logs an error every second. Bootstrap puts no static pods there.
            changes.Add(manifests);
        }

        if (await KernelSettingsAsync(view, files, cancellationToken).ConfigureAwait(false) is { } kernel)
        {
            changes.Add(kernel);
        }

        if (rewrite)
        {
            changes.Add(KubeconfigFromCertificate(material, host, held!));
        }

        var units = await ServiceControl.PlanAsync(view, [kubelet], files, waitAfterStart: true, cancellationToken).ConfigureAwait(false);
        if (joined || rewrite)
        {
            // A new kubelet binary is a version change: the node is drained first and uncordoned once Ready with it.
            var binary = $"{NodeLayout.BinDir}/kubelet";
            var upgrading = files.Any(c => c.Target == binary && c.Kind == ChangeKind.FileReplace);
            var drain = upgrading && await target.Context.Api.ReaderAsync(target.Context, cancellationToken).ConfigureAwait(false) is { } reader
                ? await DrainPhase.PlanAsync(reader, host.Name, new ResetOptions(), cancellationToken).ConfigureAwait(false)
                : TargetPlan.Nothing();
            if (drain.Refusal is not null)
            {
                return drain;
            }

            changes.InsertRange(0, drain.Changes);
            changes.AddRange(units);
            if (!upgrading && !units.Any(c => c.Target == kubelet.Unit && c.Kind is ChangeKind.UnitStart or ChangeKind.UnitRestart)
                && await target.Context.Api.ReaderAsync(target.Context, cancellationToken).ConfigureAwait(false) is { } nodes
                && !(await nodes.NodesAsync(cancellationToken).ConfigureAwait(false)).Any(n => n.Metadata?.Name == host.Name))
            {
                // A running kubelet whose Node was deleted never registers it again (it registers once, when it starts); the
                // check below would wait for it in vain.
                changes.Add(await ServiceControl.PlanRestartAsync(
                    view, kubelet, $"node {host.Name} is not registered (its Node object is gone): the kubelet registers its Node only when it starts", cancellationToken).ConfigureAwait(false));
            }

            var version = target.Config.KubernetesVersion;
            return new TargetPlan
            {
                Changes = changes,
                Notes = notes,
                Rolling = ServiceControl.Restarts(changes),
                RollOrder = host.HasRole(Config.HostRole.ControlPlane) ? 0 : 1,
                VerifyDescription = upgrading ? $"would wait until node {host.Name} is Ready with kubelet {version}, then uncordon it" : $"would check that node {host.Name} is registered",
                VerifyReadsOnly = !upgrading,
                Verify = async (apply, ct) =>
                {
                    if (!upgrading)
                    {
                        if (!await WaitRegisteredAsync(await apply.Run.Api.ReadingAsync(apply, ct).ConfigureAwait(false), host.Name, apply.Waiting, ct).ConfigureAwait(false))
                        {
                            throw new PhaseFailedException(
                                $"node {host.Name} is not registered after {RegisteredTimeout.TotalMinutes:0} minutes ("
                                + (rewrite ? $"{NodeLayout.KubeletKubeconfig} was written from the kubelet's client certificate" : $"{NodeLayout.KubeletKubeconfig} exists")
                                + ", so no bootstrap token was made; if it belongs to an earlier cluster, stop the kubelet and remove it to join again)");
                        }

                        return [$"node {host.Name} is registered"];
                    }

                    // A node drained for its new kubelet had its pod network already: it is Ready again once the kubelet runs.
                    var client = await apply.Run.Api.ClientAsync(apply, ct).ConfigureAwait(false);
                    if (await WaitReadyAsync(client, host.Name, version, apply.Waiting, ct).ConfigureAwait(false) is { } state)
                    {
                        throw new PhaseFailedException($"node {host.Name} is not Ready with kubelet {version} after {ReadyTimeout.TotalMinutes:0} minutes: {state}");
                    }

                    await client.CordonAsync(host.Name, cordon: false, ct).ConfigureAwait(false);
                    return [$"node {host.Name} is Ready with kubelet {version}; uncordoned"];
                },
            };
        }

        // Joining starts the kubelet on its bootstrap kubeconfig; its start or restart is the join.
        var foreign = held?.State == KubeletClientCertificateState.Foreign;
        changes.AddRange(units.Where(c => c.Target != kubelet.Unit || c.Kind is not (ChangeKind.UnitStart or ChangeKind.UnitRestart)));
        changes.Add(new Change
        {
            Host = host.Name,
            Kind = ChangeKind.NodeJoin,
            Target = $"node {host.Name}",
            Reason = $"no {NodeLayout.KubeletKubeconfig}: TLS bootstrap with a new bootstrap token valid for {TokenTtl.TotalMinutes:0} minutes"
                + (foreign ? $"; {held!.Description}: it is removed first, or the kubelet would use it instead of the token" : string.Empty),
            Apply = (apply, ct) => JoinAsync(apply, material, host, kubelet, foreign, ct),
        });
        return new TargetPlan { Changes = changes, Notes = notes, Rolling = ServiceControl.Restarts(changes) };
    }

    /// <summary>
    /// Applying <see cref="KernelTunables.DropInPath"/> when it changes or the kernel differs from it, before the
    /// kubelet (re)starts: with protectKernelDefaults the kubelet refuses to start on a differing kernel.
    /// Afterwards the values are read again, so a kernel that does not take them fails here, by name.
    /// </summary>
    private static async Task<Change?> KernelSettingsAsync(HostView view, IReadOnlyList<Change> files, CancellationToken cancellationToken)
    {
        var current = await view.QueryAsync(new RemoteCommand(KernelTunables.ReadCommand), cancellationToken).ConfigureAwait(false);
        var mismatches = KernelTunables.Mismatches(current.Stdout);
        var fileChanges = files.Any(f => f.Target == KernelTunables.DropInPath && f.Kind is ChangeKind.FileCreate or ChangeKind.FileReplace);
        if (mismatches.Count == 0 && !fileChanges)
        {
            return null;
        }

        return new Change
        {
            Host = view.Name,
            Kind = ChangeKind.SysctlApply,
            Target = KernelTunables.DropInPath,
            Reason = mismatches.Count > 0 ? string.Join("; ", mismatches) : "the file changes",
            Apply = async (apply, ct) =>
            {
                var remote = apply.Host(view.Name);
                await remote.RunCheckedAsync(new RemoteCommand(["sysctl", "-q", "-p", KernelTunables.DropInPath], sudo: true), apply.Redactor, ct).ConfigureAwait(false);
                var after = await remote.RunAsync(new RemoteCommand(KernelTunables.ReadCommand), ct).ConfigureAwait(false);
                var left = KernelTunables.Mismatches(after.Stdout);
                return left.Count == 0 ? []
                    : throw new PhaseFailedException(
                        $"{view.Name}: after sysctl -p {KernelTunables.DropInPath}, {string.Join("; ", left)}: the kubelet (protectKernelDefaults) would refuse to start");
            },
        };
    }

    /// <summary>
    /// kubelet.conf for a node whose kubelet lost it but holds this cluster's client certificate for the node (<paramref name="held"/>):
    /// written from that certificate, as the kubelet itself would write it on its next start. A running kubelet keeps running (it read
    /// kubelet.conf when it started); no token is made, and no certificate is asked for.
    /// </summary>
    private static Change KubeconfigFromCertificate(InstallMaterial material, HostSpec host, KubeletClientCertificateVerdict held) => new()
    {
        Host = host.Name,
        Kind = ChangeKind.FileCreate,
        Target = NodeLayout.KubeletKubeconfig,
        To = "0600 root:root",
        Reason = $"missing; {held.Description}: kubelet.conf names it, as the kubelet writes it after its TLS bootstrap (no bootstrap token)",
        Apply = async (apply, ct) =>
        {
            var file = DesiredFile.FromText(
                new FileSpec(NodeLayout.KubeletKubeconfig, 0b110_000_000), KubeletCertificates.Kubeconfig(material.Config, ApiObjectsPhase.CaPem(material)));
            await using (var content = await file.Open(ct).ConfigureAwait(false))
            {
                await apply.Host(host.Name).UploadAsync(content, file.Spec, ct).ConfigureAwait(false);
            }

            return [];
        },
    };

    private static Org.BouncyCastle.X509.X509Certificate ClusterCa(InstallMaterial material) =>
        Pki.StoredCredential.TryParseCertificate(material.StateFile("pki/ca.crt"))
        ?? throw new Pki.PkiStateException($"pki/ca.crt in {material.Config.StateDirectory} is not a certificate");

    private static async Task<IReadOnlyList<string>> JoinAsync(
        ApplyContext apply, InstallMaterial material, HostSpec host, ServiceSpec kubelet, bool removeHeldCertificate, CancellationToken cancellationToken)
    {
        var remote = apply.Host(host.Name);
        var api = await apply.Run.Api.ClientAsync(apply, cancellationToken).ConfigureAwait(false);
        var details = new List<string>();
        var token = BootstrapToken.Generate();
        apply.Redactor.Register(token.Value);
        apply.Redactor.Register(token.Secret);
        await api.CreateSecretAsync(
            token.ToSecret(apply.Time, TokenTtl, $"Bootstrap: TLS bootstrap of the kubelet on {host.Name}", [NodeClientCsrPolicy.TokenGroup]),
            cancellationToken).ConfigureAwait(false);
        details.Add($"created bootstrap token {token.Id} (expires in {TokenTtl.TotalMinutes:0} minutes)");
        var bootstrap = NodeInstallFiles.BootstrapKubeconfig(material, token);
        await using (var content = await bootstrap.Open(cancellationToken).ConfigureAwait(false))
        {
            await remote.UploadAsync(content, bootstrap.Spec, cancellationToken).ConfigureAwait(false);
        }

        details.Add($"wrote {bootstrap.Path}");
        if (removeHeldCertificate)
        {
            await remote.RunCheckedAsync(new RemoteCommand(["rm", "-f", "--", KubeletCertificates.CurrentPath], sudo: true), apply.Redactor, cancellationToken).ConfigureAwait(false);
            details.Add($"removed {KubeletCertificates.CurrentPath} (not this cluster's certificate for the node)");
        }

        await remote.RunCheckedAsync(new RemoteCommand(["systemctl", "restart", "--no-block", kubelet.Unit], sudo: true), apply.Redactor, cancellationToken).ConfigureAwait(false);
        details.Add($"started {kubelet.Unit} on its bootstrap kubeconfig");

        // The token's group is not auto-approved: the kubelet waits for its client certificate (its healthz comes up
        // only then) until Bootstrap approves the one request that is exactly this node's; anything else made with
        // the token is denied, now and while the node registers.
        var decisions = new List<string>();
        Task DecideAsync(CancellationToken ct) => DecideTokenRequestsAsync(apply, api, host.Name, token, decisions, ct);
        if (!await WaitClientCertificateAsync(api, token, apply.Waiting, DecideAsync, cancellationToken).ConfigureAwait(false))
        {
            throw new PhaseFailedException(
                $"{host.Name}: the kubelet made no client certificate request with bootstrap token {token.Id} that could be approved within {ClientCsrTimeout.TotalMinutes:0} minutes "
                + $"({string.Join("; ", decisions.DefaultIfEmpty("no request"))}); see journalctl -u {kubelet.Unit}");
        }

        await ServiceControl.WaitHealthyAsync(remote, kubelet, apply.Redactor, apply.Waiting, cancellationToken).ConfigureAwait(false);
        if (!await WaitRegisteredAsync(api, host.Name, apply.Waiting, cancellationToken, DecideAsync).ConfigureAwait(false))
        {
            throw new PhaseFailedException($"node {host.Name} is not registered after {RegisteredTimeout.TotalMinutes:0} minutes: its kubelet got no client certificate or cannot reach the API");
        }

        details.AddRange(decisions);

        // The kubelet does not need the signature (its bootstrap kubeconfig carries the CA), but a
        // stock `kubeadm join` does: checked once the node is registered, when the signer has long had time.
        await WaitSignedAsync(api, token, apply.Waiting, cancellationToken).ConfigureAwait(false);
        details.Add($"cluster-info is signed for token {token.Id} (jws-kubeconfig-{token.Id})");
        await remote.RunCheckedAsync(new RemoteCommand(["rm", "-f", "--", NodeLayout.BootstrapKubeletKubeconfig], sudo: true), apply.Redactor, cancellationToken).ConfigureAwait(false);
        await api.DeleteSecretAsync(token.SecretName, KubeadmObjectNames.KubeSystem, cancellationToken).ConfigureAwait(false);
        details.Add($"node {host.Name} joined (registered with its own client certificate); deleted its bootstrap token and {NodeLayout.BootstrapKubeletKubeconfig}");
        // A kubelet that kept its serving certificate (a node joining again) asks for none: kubelet-serving-csr need not wait for it.
        var serving = await remote.RunAsync(KubeletCertificates.ReadServingCommand, cancellationToken).ConfigureAwait(false);
        apply.Run.Joined.Add(host.Name, token.Id, holdsServingCertificate: KubeletCertificates.ValidNow(serving, apply.Time.GetUtcNow()));
        return details;
    }

    /// <summary>
    /// Approves or denies (<see cref="NodeClientCsrPolicy"/>) every pending request made with <paramref name="token"/>,
    /// minted for <paramref name="node"/>, each decision a line of <paramref name="decisions"/> (a denial also a warning).
    /// </summary>
    private static async Task DecideTokenRequestsAsync(ApplyContext apply, ClusterApi api, string node, BootstrapToken token, List<string> decisions, CancellationToken cancellationToken)
    {
        var requests = await api.CertificateSigningRequestsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var csr in requests.Where(r => NodeClientCsrPolicy.TokenId(r) == token.Id && ServingCsrPhase.IsPending(r)))
        {
            var decision = NodeClientCsrPolicy.Decide(csr, node);
            var now = apply.Time.GetUtcNow().UtcDateTime;
            if (decision.Approve)
            {
                await api.ApproveAsync(csr, decision.Reason, now, cancellationToken).ConfigureAwait(false);
                decisions.Add($"approved {csr.Metadata.Name}: {decision.Reason}");
            }
            else
            {
                await api.DenyAsync(csr, decision.Reason, now, cancellationToken).ConfigureAwait(false);
                decisions.Add($"denied {csr.Metadata.Name}: {decision.Reason}");
                apply.Logger.Warning("[{Phase}] {Host}: denied {Csr} made with the node's bootstrap token: {Reason}", "kubelet-start", node, csr.Metadata.Name, decision.Reason);
            }
        }
    }

    /// <summary>Decides the token's requests until one of them is approved (true), or <see cref="ClientCsrTimeout"/> passes (false).</summary>
    private static async Task<bool> WaitClientCertificateAsync(
        ClusterApi api, BootstrapToken token, Waiting waiting, Func<CancellationToken, Task> decide, CancellationToken cancellationToken)
    {
        using var wait = waiting.Begin();
        var deadline = waiting.Time.GetUtcNow() + ClientCsrTimeout;
        while (true)
        {
            await decide(cancellationToken).ConfigureAwait(false);
            var requests = await api.CertificateSigningRequestsAsync(cancellationToken).ConfigureAwait(false);
            if (requests.Any(r => NodeClientCsrPolicy.TokenId(r) == token.Id && r.Status?.Conditions?.Any(c => c.Type == "Approved") == true))
            {
                return true;
            }

            if (waiting.Time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await wait.DelayAsync(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The bootstrap signer (in the controller manager) adds a signature of cluster-info for every signing token; a stock kubeadm join needs it.</summary>
    private static async Task WaitSignedAsync(ClusterApi api, BootstrapToken token, Waiting waiting, CancellationToken cancellationToken)
    {
        var key = "jws-kubeconfig-" + token.Id;
        using var wait = waiting.Begin();
        var deadline = waiting.Time.GetUtcNow() + SignedTimeout;
        while (true)
        {
            var info = await api.ConfigMapAsync(KubeadmObjectNames.ClusterInfoConfigMap, KubeadmObjectNames.KubePublic, cancellationToken).ConfigureAwait(false);
            if (info?.Data?.ContainsKey(key) == true)
            {
                return;
            }

            if (waiting.Time.GetUtcNow() >= deadline)
            {
                throw new PhaseFailedException(
                    $"cluster-info in kube-public has no {key} after {SignedTimeout.TotalSeconds:0} s: is kube-controller-manager running with the bootstrapsigner controller?");
            }

            await wait.DelayAsync(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether the Node exists within <see cref="RegisteredTimeout"/>: the kubelet registers it with its own client certificate;
    /// <paramref name="eachPoll"/> runs before each look.
    /// </summary>
    private static async Task<bool> WaitRegisteredAsync(
        IClusterReader api, string name, Waiting waiting, CancellationToken cancellationToken, Func<CancellationToken, Task>? eachPoll = null)
    {
        using var wait = waiting.Begin();
        var deadline = waiting.Time.GetUtcNow() + RegisteredTimeout;
        while (true)
        {
            if (eachPoll is not null)
            {
                await eachPoll(cancellationToken).ConfigureAwait(false);
            }

            if (await api.NodeAsync(name, cancellationToken).ConfigureAwait(false) is not null)
            {
                return true;
            }

            if (waiting.Time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await wait.DelayAsync(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Null once the Node is Ready and its kubelet reports <paramref name="version"/>, else its last state after <see cref="ReadyTimeout"/>.</summary>
    private static async Task<string?> WaitReadyAsync(IClusterReader api, string name, KubernetesVersion version, Waiting waiting, CancellationToken cancellationToken)
    {
        using var wait = waiting.Begin();
        var deadline = waiting.Time.GetUtcNow() + ReadyTimeout;
        while (true)
        {
            var node = await api.NodeAsync(name, cancellationToken).ConfigureAwait(false);
            if (NodeConditions.IsReady(node) && node?.Status?.NodeInfo?.KubeletVersion == version.ToString())
            {
                return null;
            }

            if (waiting.Time.GetUtcNow() >= deadline)
            {
                return NodeConditions.Describe(node);
            }

            await wait.DelayAsync(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
