using System.Net;
using System.Security.Cryptography.X509Certificates;
using Bootstrap.Core.Workflow;
using Bootstrap.Core.Pki;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;
using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The Kubernetes API as Bootstrap uses it, from the workstation with the cluster state's admin.conf
/// (which points at the control-plane endpoint): create-or-update of kubeadm's objects, bootstrap token
/// Secrets, Nodes and certificate signing requests. Phases plan with its reading half (<see cref="IClusterReader"/>).
/// </summary>
internal sealed class ClusterApi : IClusterReader, IDisposable
{
    private readonly k8s.Kubernetes _client;

    public ClusterApi(byte[] adminKubeconfig) => _client = new k8s.Kubernetes(Configuration(adminKubeconfig), new ApiReadRetry());

    /// <summary>
    /// The client's settings from a kubeconfig. The one Bootstrap writes (one cluster, one user with an embedded certificate
    /// and key: <see cref="KubeconfigFile"/>) is read directly; the client library's own reader, which any other kubeconfig
    /// goes through (a token, say), first maps every Kubernetes type for YAML, a third of a second of CPU in each run.
    /// </summary>
    internal static KubernetesClientConfiguration Configuration(byte[] kubeconfig)
    {
        ArgumentNullException.ThrowIfNull(kubeconfig);
        if (KubeconfigFile.TryParse(kubeconfig) is { } file)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPem(file.CaPem);
            return new KubernetesClientConfiguration
            {
                Host = file.Server,
                SslCaCerts = authorities,
                ClientCertificateData = KubeconfigFile.Base64(file.ClientCertificatePem),
                ClientCertificateKeyData = KubeconfigFile.Base64(file.ClientKeyPem),
            };
        }

        using var stream = new MemoryStream(kubeconfig, writable: false);
        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(stream);
        }
        catch (Exception e) when (e is not OperationCanceledException and not KubeConfigException)
        {
            // The client library's own reader throws what its parser throws (an empty file: ArgumentNullException; broken YAML:
            // a YAML exception), which every command reported as an internal error.
            var reason = kubeconfig.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') ? "the file is empty" : e.Message;
            throw new PkiStateException(
                $"the admin.conf of the cluster state is not a kubeconfig ({reason}); `bootstrap certs renew admin.conf` writes it anew from the cluster's CA", e);
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// The client of <c>bootstrap token</c>: the admin.conf of the cluster state in <paramref name="stateDirectory"/>
    /// as <c>init</c> wrote it. Throws <see cref="PkiStateException"/> when the state has none (no <c>init</c> yet).
    /// </summary>
    public static async Task<ClusterApi> FromStateAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        var state = new PkiStateDirectory(stateDirectory);
        var kubeconfig = await state.ReadAsync(KubeadmNames.AdminKubeconfig, cancellationToken).ConfigureAwait(false)
            ?? throw new PkiStateException($"{state.FullPath(KubeadmNames.AdminKubeconfig)} does not exist: the cluster state has no admin.conf (run bootstrap init first)");
        return new ClusterApi(kubeconfig);
    }

    /// <summary>Whether the API answers /version within <paramref name="timeout"/>.</summary>
    public async Task<bool> AnswersAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _client.Version.GetCodeAsync(deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>What the object needs on the server: null when the server has it as wanted (<see cref="ObjectComparison"/>).</summary>
    public async Task<ChangeKind?> DiffAsync(IKubernetesObject<V1ObjectMeta> wanted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        var existing = await OrNullAsync(() => Operations(wanted, cancellationToken).Read()).ConfigureAwait(false);
        return existing is null ? ChangeKind.ApiCreate : ObjectComparison.Matches(wanted, existing) ? null : ChangeKind.ApiUpdate;
    }

    /// <summary>Creates the object, or replaces the server's copy when it differs; keeps ConfigMap keys others added.</summary>
    public async Task ApplyAsync(IKubernetesObject<V1ObjectMeta> wanted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        var operations = Operations(wanted, cancellationToken);
        var existing = await OrNullAsync(operations.Read).ConfigureAwait(false);
        if (existing is null)
        {
            await operations.Create().ConfigureAwait(false);
            return;
        }

        if (ObjectComparison.Matches(wanted, existing))
        {
            return;
        }

        wanted.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        if (wanted is V1ConfigMap { Data: { } data } && existing is V1ConfigMap { Data: { } kept })
        {
            // Keep keys others add (the bootstrap signer's signatures of cluster-info).
            foreach (var (key, value) in kept.Where(k => !data.ContainsKey(k.Key)))
            {
                data[key] = value;
            }
        }

        await operations.Replace().ConfigureAwait(false);
    }

    /// <summary>
    /// Rewrites every Secret of the cluster unchanged (read, then replace), page by page, so that the API server stores
    /// each with its current encryption key (a Secret read with another key is stale and is written again). A Secret
    /// changed meanwhile is read again; one deleted meanwhile is skipped. Returns how many were rewritten.
    /// </summary>
    public async Task<int> RewriteSecretsAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        string? next = null;
        do
        {
            var page = await _client.CoreV1.ListSecretForAllNamespacesAsync(limit: 250, continueParameter: next, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var listed in page.Items)
            {
                var secret = listed;
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await _client.CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, secret.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
                        count++;
                        break;
                    }
                    catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < 5)
                    {
                        secret = await _client.CoreV1.ReadNamespacedSecretAsync(secret.Metadata.Name, secret.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }
                    catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
                    {
                        break;
                    }
                }
            }

            next = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));
        return count;
    }

    public Task CreateSecretAsync(V1Secret secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return _client.CoreV1.CreateNamespacedSecretAsync(secret, secret.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
    }

    /// <summary>Deletes the Secret; one already gone (the token cleaner removes expired tokens) is fine.</summary>
    public Task DeleteSecretAsync(string name, string ns, CancellationToken cancellationToken) =>
        DeleteSecretIfExistsAsync(name, ns, cancellationToken);

    /// <summary>Deletes the Secret; false when there was none.</summary>
    public async Task<bool> DeleteSecretIfExistsAsync(string name, string ns, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CoreV1.DeleteNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>The bootstrap token Secrets in kube-system (by type, as <c>kubeadm token list</c> selects them).</summary>
    public async Task<IReadOnlyList<V1Secret>> BootstrapTokenSecretsAsync(CancellationToken cancellationToken) =>
        (await _client.CoreV1.ListNamespacedSecretAsync(
            KubeadmObjectNames.KubeSystem,
            fieldSelector: "type=" + KubeadmObjectNames.BootstrapTokenSecretType,
            cancellationToken: cancellationToken).ConfigureAwait(false)).Items.ToArray();

    public Task<V1ConfigMap?> ConfigMapAsync(string name, string ns, CancellationToken cancellationToken) =>
        OrNullAsync(() => _client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken));

    public Task<V1Node?> NodeAsync(string name, CancellationToken cancellationToken) =>
        OrNullAsync(() => _client.CoreV1.ReadNodeAsync(name, cancellationToken: cancellationToken));

    /// <summary>Marks the Node unschedulable (or schedulable again).</summary>
    public Task CordonAsync(string name, bool cordon, CancellationToken cancellationToken) =>
        PatchNodeAsync(name, cordon ? "{\"spec\":{\"unschedulable\":true}}" : "{\"spec\":{\"unschedulable\":null}}", cancellationToken);

    /// <summary>Deletes the Node; false when there was none.</summary>
    public async Task<bool> DeleteNodeAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CoreV1.DeleteNodeAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>The pods bound to a node, every namespace.</summary>
    public async Task<IReadOnlyList<V1Pod>> PodsOnNodeAsync(string node, CancellationToken cancellationToken) =>
        (await _client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=" + node, cancellationToken: cancellationToken).ConfigureAwait(false)).Items.ToArray();

    /// <summary>
    /// Asks to evict a pod (policy/v1beta1, what a v1.20 API server serves): true when accepted or already gone, false when a
    /// PodDisruptionBudget refuses it for now (HTTP 429; the caller retries).
    /// </summary>
    public async Task<bool> EvictAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var eviction = new V1Eviction
        {
            ApiVersion = "policy/v1beta1",
            Kind = "Eviction",
            Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty },
        };
        try
        {
            await _client.CoreV1.CreateNamespacedPodEvictionAsync(eviction, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode == 429)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<V1Node>> NodesAsync(CancellationToken cancellationToken) =>
        (await _client.CoreV1.ListNodeAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Items.ToArray();

    public Task<V1Lease?> LeaseAsync(string name, string ns, CancellationToken cancellationToken) =>
        OrNullAsync(() => _client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: cancellationToken));

    /// <summary>
    /// Gives up a Lease its holder can no longer renew (its process is gone), as client-go's leader election does on
    /// release: no holder, a 1 s duration, so a candidate takes it at its next retry. Only while <paramref name="holder"/>
    /// still holds it, and only the version read (a newer holder is never cleared); false when it did not.
    /// </summary>
    public async Task<bool> ReleaseLeaseAsync(string name, string ns, string holder, DateTime now, CancellationToken cancellationToken)
    {
        var lease = await LeaseAsync(name, ns, cancellationToken).ConfigureAwait(false);
        if (lease?.Spec is not { } spec || spec.HolderIdentity != holder)
        {
            return false;
        }

        spec.HolderIdentity = string.Empty;
        spec.LeaseDurationSeconds = 1;
        spec.AcquireTime = now;
        spec.RenewTime = now;
        try
        {
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public Task<V1Deployment?> DeploymentAsync(string name, string ns, CancellationToken cancellationToken) =>
        OrNullAsync(() => _client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: cancellationToken));

    public Task PatchNodeAsync(string name, string mergePatch, CancellationToken cancellationToken) =>
        _client.CoreV1.PatchNodeAsync(new V1Patch(mergePatch, V1Patch.PatchType.MergePatch), name, cancellationToken: cancellationToken);

    /// <summary>The token of a ServiceAccount's token Secret (v1.20's token controller creates one per ServiceAccount), or null while there is none.</summary>
    public async Task<string?> ServiceAccountTokenAsync(string name, string ns, CancellationToken cancellationToken)
    {
        var account = await OrNullAsync(() => _client.CoreV1.ReadNamespacedServiceAccountAsync(name, ns, cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var reference in account?.Secrets ?? [])
        {
            var secret = await OrNullAsync(() => _client.CoreV1.ReadNamespacedSecretAsync(reference.Name, ns, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (secret is { Type: "kubernetes.io/service-account-token" } && secret.Data?.TryGetValue("token", out var token) == true && token.Length > 0)
            {
                return System.Text.Encoding.ASCII.GetString(token);
            }
        }

        return null;
    }

    public async Task<IReadOnlyList<V1CertificateSigningRequest>> CertificateSigningRequestsAsync(CancellationToken cancellationToken) =>
        (await _client.CertificatesV1.ListCertificateSigningRequestAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Items.ToArray();

    public Task ApproveAsync(V1CertificateSigningRequest csr, string message, DateTime now, CancellationToken cancellationToken) =>
        DecideAsync(csr, "Approved", "BootstrapApproved", message, now, cancellationToken);

    /// <summary>Denies the request (the signer then never issues it); the message says why.</summary>
    public Task DenyAsync(V1CertificateSigningRequest csr, string message, DateTime now, CancellationToken cancellationToken) =>
        DecideAsync(csr, "Denied", "BootstrapDenied", message, now, cancellationToken);

    private Task DecideAsync(V1CertificateSigningRequest csr, string type, string reason, string message, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csr);
        csr.Status ??= new V1CertificateSigningRequestStatus();
        csr.Status.Conditions ??= [];
        csr.Status.Conditions.Add(new V1CertificateSigningRequestCondition
        {
            Type = type,
            Status = "True",
            Reason = reason,
            Message = message,
            LastUpdateTime = now,
        });
        return _client.CertificatesV1.ReplaceCertificateSigningRequestApprovalAsync(csr, csr.Metadata.Name, cancellationToken: cancellationToken);
    }

    private ObjectOperations Operations(IKubernetesObject<V1ObjectMeta> wanted, CancellationToken cancellationToken)
    {
        var name = wanted.Metadata.Name;
        var ns = wanted.Metadata.NamespaceProperty;
        var core = _client.CoreV1;
        var rbac = _client.RbacAuthorizationV1;
        var apps = _client.AppsV1;
        return wanted switch
        {
            V1Deployment o => new(
                async () => await apps.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false),
                () => apps.CreateNamespacedDeploymentAsync(o, ns, cancellationToken: cancellationToken),
                () => apps.ReplaceNamespacedDeploymentAsync(o, name, ns, cancellationToken: cancellationToken)),
            V1Service o => new(
                async () => await core.ReadNamespacedServiceAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false),
                () => core.CreateNamespacedServiceAsync(o, ns, cancellationToken: cancellationToken),
                () => core.ReplaceNamespacedServiceAsync(o, name, ns, cancellationToken: cancellationToken)),
            V1ConfigMap o => new(
                async () => await core.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false),
                () => core.CreateNamespacedConfigMapAsync(o, ns, cancellationToken: cancellationToken),
                () => core.ReplaceNamespacedConfigMapAsync(o, name, ns, cancellationToken: cancellationToken)),
            V1ServiceAccount o => new(
                async () => await core.ReadNamespacedServiceAccountAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false),
                () => core.CreateNamespacedServiceAccountAsync(o, ns, cancellationToken: cancellationToken),
                () => core.ReplaceNamespacedServiceAccountAsync(o, name, ns, cancellationToken: cancellationToken)),
            V1Role o => new(
                async () => await rbac.ReadNamespacedRoleAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false),
                () => rbac.CreateNamespacedRoleAsync(o, ns, cancellationToken: cancellationToken),
                () => rbac.ReplaceNamespacedRoleAsync(o, name, ns, cancellationToken: cancellationToken)),
            V1RoleBinding o => new(
                async () => await rbac.ReadNamespacedRoleBindingAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false),
                () => rbac.CreateNamespacedRoleBindingAsync(o, ns, cancellationToken: cancellationToken),
                () => rbac.ReplaceNamespacedRoleBindingAsync(o, name, ns, cancellationToken: cancellationToken)),
            V1ClusterRole o => new(
                async () => await rbac.ReadClusterRoleAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false),
                () => rbac.CreateClusterRoleAsync(o, cancellationToken: cancellationToken),
                () => rbac.ReplaceClusterRoleAsync(o, name, cancellationToken: cancellationToken)),
            V1ClusterRoleBinding o => new(
                async () => await rbac.ReadClusterRoleBindingAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false),
                () => rbac.CreateClusterRoleBindingAsync(o, cancellationToken: cancellationToken),
                () => rbac.ReplaceClusterRoleBindingAsync(o, name, cancellationToken: cancellationToken)),
            _ => throw new NotSupportedException($"cannot apply a {wanted.Kind}"),
        };
    }

    private static async Task<T?> OrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Read, create and replace of one object, whatever its type.</summary>
    private sealed record ObjectOperations(Func<Task<IKubernetesObject<V1ObjectMeta>>> Read, Func<Task> Create, Func<Task> Replace);
}
