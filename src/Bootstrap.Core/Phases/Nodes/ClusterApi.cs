using System.Net;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Pki;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// The Kubernetes API as the node phases use it, from the workstation with the cluster state's
/// admin.conf (which points at the control-plane endpoint): create-or-update of kubeadm's objects,
/// bootstrap token Secrets, Nodes and certificate signing requests.
/// </summary>
internal sealed class ClusterApi : IDisposable
{
    private readonly k8s.Kubernetes _client;

    public ClusterApi(byte[] adminKubeconfig)
    {
        using var stream = new MemoryStream(adminKubeconfig, writable: false);
        _client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
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

    /// <summary>
    /// Creates the object, or replaces it when the server's copy differs (<see cref="ObjectComparison"/>);
    /// returns what it did (or would do), or null when the server already has it.
    /// </summary>
    public async Task<string?> ApplyAsync(IKubernetesObject<V1ObjectMeta> wanted, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        var name = wanted.Metadata.Name;
        var ns = wanted.Metadata.NamespaceProperty;
        return wanted switch
        {
            V1ConfigMap o => await ApplyAsync(o, dryRun,
                () => _client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken),
                () => _client.CoreV1.CreateNamespacedConfigMapAsync(o, ns, cancellationToken: cancellationToken),
                () => _client.CoreV1.ReplaceNamespacedConfigMapAsync(o, name, ns, cancellationToken: cancellationToken)).ConfigureAwait(false),
            V1ServiceAccount o => await ApplyAsync(o, dryRun,
                () => _client.CoreV1.ReadNamespacedServiceAccountAsync(name, ns, cancellationToken: cancellationToken),
                () => _client.CoreV1.CreateNamespacedServiceAccountAsync(o, ns, cancellationToken: cancellationToken),
                () => _client.CoreV1.ReplaceNamespacedServiceAccountAsync(o, name, ns, cancellationToken: cancellationToken)).ConfigureAwait(false),
            V1Role o => await ApplyAsync(o, dryRun,
                () => _client.RbacAuthorizationV1.ReadNamespacedRoleAsync(name, ns, cancellationToken: cancellationToken),
                () => _client.RbacAuthorizationV1.CreateNamespacedRoleAsync(o, ns, cancellationToken: cancellationToken),
                () => _client.RbacAuthorizationV1.ReplaceNamespacedRoleAsync(o, name, ns, cancellationToken: cancellationToken)).ConfigureAwait(false),
            V1RoleBinding o => await ApplyAsync(o, dryRun,
                () => _client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(name, ns, cancellationToken: cancellationToken),
                () => _client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(o, ns, cancellationToken: cancellationToken),
                () => _client.RbacAuthorizationV1.ReplaceNamespacedRoleBindingAsync(o, name, ns, cancellationToken: cancellationToken)).ConfigureAwait(false),
            V1ClusterRole o => await ApplyAsync(o, dryRun,
                () => _client.RbacAuthorizationV1.ReadClusterRoleAsync(name, cancellationToken: cancellationToken),
                () => _client.RbacAuthorizationV1.CreateClusterRoleAsync(o, cancellationToken: cancellationToken),
                () => _client.RbacAuthorizationV1.ReplaceClusterRoleAsync(o, name, cancellationToken: cancellationToken)).ConfigureAwait(false),
            V1ClusterRoleBinding o => await ApplyAsync(o, dryRun,
                () => _client.RbacAuthorizationV1.ReadClusterRoleBindingAsync(name, cancellationToken: cancellationToken),
                () => _client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(o, cancellationToken: cancellationToken),
                () => _client.RbacAuthorizationV1.ReplaceClusterRoleBindingAsync(o, name, cancellationToken: cancellationToken)).ConfigureAwait(false),
            _ => throw new NotSupportedException($"cannot apply a {wanted.Kind}"),
        };
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

    public Task ApproveAsync(V1CertificateSigningRequest csr, string message, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csr);
        csr.Status ??= new V1CertificateSigningRequestStatus();
        csr.Status.Conditions ??= [];
        csr.Status.Conditions.Add(new V1CertificateSigningRequestCondition
        {
            Type = "Approved",
            Status = "True",
            Reason = "BootstrapApproved",
            Message = message,
            LastUpdateTime = now,
        });
        return _client.CertificatesV1.ReplaceCertificateSigningRequestApprovalAsync(csr, csr.Metadata.Name, cancellationToken: cancellationToken);
    }

    private static async Task<string?> ApplyAsync<T>(T wanted, bool dryRun, Func<Task<T>> read, Func<Task<T>> create, Func<Task<T>> replace)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var existing = await OrNullAsync(read).ConfigureAwait(false);
        var what = ObjectComparison.Describe(wanted);
        if (existing is null)
        {
            if (!dryRun)
            {
                await create().ConfigureAwait(false);
            }

            return $"{(dryRun ? "would create" : "created")} {what}";
        }

        if (ObjectComparison.Matches(wanted, existing))
        {
            return null;
        }

        if (!dryRun)
        {
            wanted.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            if (wanted is V1ConfigMap { Data: { } data } && existing is V1ConfigMap { Data: { } kept })
            {
                // Keep keys others add (the bootstrap signer's signatures of cluster-info).
                foreach (var (key, value) in kept.Where(k => !data.ContainsKey(k.Key)))
                {
                    data[key] = value;
                }
            }

            await replace().ConfigureAwait(false);
        }

        return $"{(dryRun ? "would update" : "updated")} {what}";
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
}
