using System.Text;
using Bootstrap.Core.Config;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace Bootstrap.Core.Pki;

/// <summary>
/// Load-or-create of a cluster's PKI in a state directory, derived entirely from the
/// <see cref="CertificateCatalog"/>.
/// <list type="bullet">
/// <item>CAs and the service-account key are created only when the state directory has never
/// held this cluster's PKI (no request.json). Once it has, a missing CA or sa.key is an error,
/// never a reason to mint a new one: every certificate on the hosts chains to the old CA.</item>
/// <item>A leaf or kubeconfig is re-issued only when it is missing or unreadable, its key does
/// not match, it is not signed by the current CA, it expires inside the renewal window, or its
/// subject, extended key usages, SANs or key algorithm no longer match the catalog. Re-issuing
/// generates a new key, as `kubeadm certs renew` does (its renewer calls NewCertAndKey).</item>
/// <item>External CAs are read from the user's files, checked (a CA certificate, key matching)
/// and copied into the state directory; a different CA already in the state is refused.</item>
/// <item>Everything is computed in memory first; files are then written one by one atomically,
/// keys before certificates, request.json last.</item>
/// </list>
/// Adopting a CA when the local state is lost (design, for the step that has SSH): read
/// /etc/kubernetes/pki/{ca,etcd/ca,front-proxy-ca}.{crt,key} and sa.{key,pub} from a
/// control-plane host through IRemoteHost.DownloadAsync, check that each key matches its
/// certificate and that the same CA is on every control-plane host (a quorum disagreeing is an
/// error to resolve by hand), write them into an empty state directory, then run
/// <see cref="EnsureAsync"/>: it reuses those CAs and re-issues only the leaves it cannot find.
/// The same path lets a user adopt by hand today: copy those files into the state directory
/// before the first generation. What this class refuses is the silent alternative, a second CA.
/// </summary>
internal sealed class PkiManager
{
    public const string AllCertificates = "all";
    public const string ServiceAccountName = "sa";

    private readonly TimeProvider _time;

    public PkiManager(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>Creates whatever the catalog needs and is missing or stale; a second run with the same request writes nothing.</summary>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="PkiStateException">The state or an external CA is inconsistent; nothing was written.</exception>
    public Task<PkiChanges> EnsureAsync(PkiRequest request, string stateDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.EnsureValid();
        return ReconcileAsync(request, new PkiStateDirectory(stateDirectory), renew: null, commit: true, cancellationToken);
    }

    /// <summary>
    /// What <see cref="EnsureAsync"/> would do, without writing anything (not even the state directory):
    /// the changes, and in <see cref="PkiChanges.PendingFiles"/> each file to write with its content, which
    /// <see cref="CommitAsync"/> writes as they are.
    /// New keys are generated in memory, so a preview of a missing certificate differs from what a later run issues.
    /// </summary>
    public Task<PkiChanges> PreviewAsync(PkiRequest request, string stateDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.EnsureValid();
        return ReconcileAsync(request, new PkiStateDirectory(stateDirectory), renew: null, commit: false, cancellationToken);
    }

    /// <summary>Re-issues, with new keys, the named leaves or kubeconfigs ("all", a name like "etcd-server/cp1", or a base name like "etcd-server"). CAs are never renewed.</summary>
    /// <exception cref="ArgumentException">The name matches no renewable entry.</exception>
    public async Task<PkiChanges> RenewAsync(string stateDirectory, string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var state = new PkiStateDirectory(stateDirectory);
        var request = await LoadRequestAsync(state, cancellationToken).ConfigureAwait(false);
        var targets = ResolveRenewable(CertificateCatalog.Build(request), name);
        return await ReconcileAsync(request, state, targets, commit: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Expiry of every catalog entry, in catalog order.</summary>
    public async Task<IReadOnlyList<CertificateExpiry>> CheckExpirationAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        var state = new PkiStateDirectory(stateDirectory);
        var request = await LoadRequestAsync(state, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var report = new List<CertificateExpiry>();
        foreach (var spec in CertificateCatalog.Build(request))
        {
            var (present, certificate) = await ReadCertificateAsync(state, spec, cancellationToken).ConfigureAwait(false);
            DateTimeOffset? expires = certificate is null ? null : new DateTimeOffset(DateTime.SpecifyKind(certificate.NotAfter, DateTimeKind.Utc));
            report.Add(new CertificateExpiry(
                spec.Name,
                spec.Kind,
                expires,
                expires - now,
                spec.CaName,
                spec.Kind == CertificateKind.Authority && request.ExternalCas.ContainsKey(spec.Name),
                Damaged: present && certificate is null));
        }

        return report;
    }

    /// <summary>The `--discovery-token-ca-cert-hash` value of the cluster CA in the state directory.</summary>
    public static async Task<string> GetCaCertHashAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        var state = new PkiStateDirectory(stateDirectory);
        var bytes = await state.ReadAsync("pki/ca.crt", cancellationToken).ConfigureAwait(false)
            ?? throw new PkiStateException($"{state.FullPath("pki/ca.crt")} does not exist: no PKI has been generated in {state.Root}; run `bootstrap certs generate -f CLUSTER.yaml` first.");
        var certificate = StoredCredential.TryParseCertificate(bytes)
            ?? throw new PkiStateException($"{state.FullPath("pki/ca.crt")} is not a certificate.");
        return CaCertHash.Compute(certificate);
    }

    /// <summary>The request stored by the last successful generation.</summary>
    public static Task<PkiRequest> LoadRequestAsync(string stateDirectory, CancellationToken cancellationToken) =>
        LoadRequestAsync(new PkiStateDirectory(stateDirectory), cancellationToken);

    private static async Task<PkiRequest> LoadRequestAsync(PkiStateDirectory state, CancellationToken cancellationToken)
    {
        var path = state.FullPath(PkiStateDirectory.RequestFile);
        var json = await state.ReadAsync(PkiStateDirectory.RequestFile, cancellationToken).ConfigureAwait(false)
            ?? throw new PkiStateException($"no PKI has been generated in {state.Root} ({PkiStateDirectory.RequestFile} is missing); run `bootstrap certs generate -f CLUSTER.yaml` first.");
        var request = PkiRequestJson.Deserialize(json, path);
        var problems = request.Validate();
        return problems.Count == 0 ? request : throw new PkiStateException($"{path} is invalid: {string.Join("; ", problems)}. {PkiRequestJson.WayBack}");
    }

    private static HashSet<string> ResolveRenewable(IReadOnlyList<CertificateSpec> specs, string name)
    {
        var renewable = specs.Where(s => s.Kind != CertificateKind.Authority).ToArray();
        if (name == AllCertificates)
        {
            return renewable.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        }

        if (CertificateCatalog.AuthorityNames.Contains(name) || name == ServiceAccountName)
        {
            throw new ArgumentException($"{InputQuote.Quote(name)} is a CA or the service-account key; renew re-issues leaves and kubeconfigs only, and CA rotation is not supported.");
        }

        var matches = renewable.Where(s => s.Name == name || s.BaseName == name).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        return matches.Count > 0
            ? matches
            : throw new ArgumentException($"Unknown certificate {InputQuote.Quote(name)}. Known: {AllCertificates}, {string.Join(", ", renewable.Select(s => s.BaseName).Distinct().Concat(renewable.Where(s => s.Host is not null).Select(s => s.Name)))}.");
    }

    private async Task<PkiChanges> ReconcileAsync(PkiRequest request, PkiStateDirectory state, IReadOnlySet<string>? renew, bool commit, CancellationToken cancellationToken)
    {
        using var stateLock = commit ? state.Lock() : null;
        var run = new Run(request, state, renew, _time.GetUtcNow(), state.Exists(PkiStateDirectory.RequestFile));
        var specs = CertificateCatalog.Build(request);
        var plan = new Plan();
        var authorities = await PlanAuthoritiesAsync(run, specs, plan, cancellationToken).ConfigureAwait(false);
        var issued = await DecideIssuedAsync(run, specs, authorities.Loaded, cancellationToken).ConfigureAwait(false);

        // Key generation dominates a first run: every key it needs, CAs' and leaves' alike, is made in the background,
        // one per core, CAs' first, while the certificates of the keys already made are signed.
        using (var keys = new KeySupply(run.Request.KeyAlgorithm, authorities.KeysToMake + issued.Count(d => d.Reason is not null), cancellationToken))
        {
            var requestJson = renew is null ? PkiRequestJson.Serialize(request) : null;
            await CreateAuthoritiesAsync(run, authorities, keys, plan, cancellationToken).ConfigureAwait(false);
            await PlanIssuedAsync(run, issued, authorities.Loaded, keys, plan, cancellationToken).ConfigureAwait(false);
            if (requestJson is not null)
            {
                plan.Writes.Add(new StateFile(PkiStateDirectory.RequestFile, requestJson, PkiStateDirectory.SecretMode));
            }
        }

        if (commit)
        {
            return new PkiChanges(plan.Items, await state.WriteAllAsync(plan.Writes, cancellationToken).ConfigureAwait(false)) { PendingFiles = [] };
        }

        var written = new List<string>();
        var pending = new List<StateFile>();
        foreach (var write in plan.Writes)
        {
            var existing = await state.ReadAsync(write.Path, cancellationToken).ConfigureAwait(false);
            if (existing is null || !existing.AsSpan().SequenceEqual(write.Content))
            {
                written.Add(write.Path);
                pending.Add(write);
            }
        }

        return new PkiChanges(plan.Items, written) { PendingFiles = pending };
    }

    /// <summary>
    /// Writes what a <see cref="PreviewAsync"/> found to write, exactly (the same keys), in its order: keys before
    /// certificates, request.json last. Returns the files whose content or mode changed.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CommitAsync(string stateDirectory, IReadOnlyList<StateFile> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var state = new PkiStateDirectory(stateDirectory);
        using var stateLock = state.Lock();
        return await state.WriteAllAsync(files, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// CAs and the service-account key: reuse, adopt external, or (first run only) mark for creation; the
    /// plan items are added here in catalog order. Renewals only load CAs.
    /// </summary>
    private static async Task<Authorities> PlanAuthoritiesAsync(Run run, IReadOnlyList<CertificateSpec> specs, Plan plan, CancellationToken cancellationToken)
    {
        var authorities = new Dictionary<string, StoredCredential>(StringComparer.Ordinal);
        var newAuthorities = new List<CertificateSpec>();
        foreach (var spec in specs.Where(s => s.Kind == CertificateKind.Authority))
        {
            if (!run.Renewing && run.Request.ExternalCas.TryGetValue(spec.Name, out var external))
            {
                authorities[spec.Name] = await AdoptExternalAsync(spec, external, run.State, plan, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var stored = await LoadAuthorityAsync(spec, run.State, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                authorities[spec.Name] = stored;
                if (!run.Renewing)
                {
                    plan.Items.Add(new PkiChange(spec.Name, PkiChangeAction.Unchanged, null));
                }
            }
            else if (run.ClusterExists || run.Renewing)
            {
                throw new PkiStateException(
                    $"The {spec.Name} CA ({spec.Path}.crt/.key) is missing from {run.State.Root}, but {PkiStateDirectory.RequestFile} says this cluster's PKI exists. "
                    + "Refusing to create a second CA: restore the state directory, or copy the CA certificate and key from a control-plane host "
                    + $"(/etc/kubernetes/{spec.Path}.crt and .key) into it.");
            }
            else
            {
                newAuthorities.Add(spec);
                plan.Items.Add(new PkiChange(spec.Name, PkiChangeAction.Created, "no CA in the state directory"));
            }
        }

        if (run.Renewing)
        {
            return new Authorities(authorities, [], ServiceAccount: null, CreateServiceAccount: false);
        }

        var serviceAccount = await LoadServiceAccountKeyAsync(run.State, run.ClusterExists, cancellationToken).ConfigureAwait(false);
        plan.Items.Add(serviceAccount is null
            ? new PkiChange(ServiceAccountName, PkiChangeAction.Created, "no service-account key in the state directory")
            : new PkiChange(ServiceAccountName, PkiChangeAction.Unchanged, null));
        return new Authorities(authorities, newAuthorities, serviceAccount, CreateServiceAccount: serviceAccount is null);
    }

    /// <summary>Makes the CAs and the service-account key that <see cref="PlanAuthoritiesAsync"/> found missing, from the run's keys (the first it takes).</summary>
    private static async Task CreateAuthoritiesAsync(Run run, Authorities authorities, KeySupply keys, Plan plan, CancellationToken cancellationToken)
    {
        foreach (var spec in authorities.New)
        {
            var key = await keys.TakeAsync(cancellationToken).ConfigureAwait(false);
            var created = StoredCredential.Create(CertificateIssuer.CreateAuthority(spec, key.PublicKey, key.Signer, run.Now, run.Request.CaValidity), key);
            authorities.Loaded[spec.Name] = created;
            plan.AddPair(spec.Path, created);
        }

        if (run.Renewing)
        {
            return;
        }

        string publicPem;
        if (authorities.ServiceAccount is { } existing)
        {
            publicPem = PrivateKeys.PublicToPem(existing);
        }
        else
        {
            var created = await keys.TakeAsync(cancellationToken).ConfigureAwait(false);
            plan.Writes.Add(new StateFile(CertificateCatalog.ServiceAccountKeyPath + ".key", Ascii(created.Pem), PkiStateDirectory.SecretMode));
            publicPem = PrivateKeys.PublicToPem(created.PublicKey);
        }

        // Always offered to the writer: restores a lost sa.pub, and is a no-op when it is intact.
        plan.Writes.Add(new StateFile(CertificateCatalog.ServiceAccountKeyPath + ".pub", Ascii(publicPem), PkiStateDirectory.PublicMode));
    }

    /// <summary>Leaves and kubeconfigs: whether each must be (re-)issued, and why. A leaf of a CA about to be created always is.</summary>
    private static async Task<List<IssueDecision>> DecideIssuedAsync(Run run, IReadOnlyList<CertificateSpec> specs, Dictionary<string, StoredCredential> loadedAuthorities, CancellationToken cancellationToken)
    {
        var decisions = new List<IssueDecision>();
        foreach (var spec in specs.Where(s => s.Kind != CertificateKind.Authority && (run.Renew is null || run.Renew.Contains(s.Name))))
        {
            var (stored, existing, missing) = await LoadIssuedAsync(spec, run.State, cancellationToken).ConfigureAwait(false);
            var reason = run.Renewing ? "renewal requested"
                : missing ? "missing"
                : !loadedAuthorities.TryGetValue(spec.CaName!, out var ca) ? "its CA is new"
                : ReissuePolicy.Reason(spec, stored, ca.Certificate, run.Request, run.Now);
            decisions.Add(new IssueDecision(spec, stored, existing, reason, missing));
        }

        return decisions;
    }

    /// <summary>Issues what <see cref="DecideIssuedAsync"/> chose, each as soon as its key is made, and offers every file to the writer.</summary>
    private static async Task PlanIssuedAsync(Run run, List<IssueDecision> decisions, Dictionary<string, StoredCredential> authorities, KeySupply keys, Plan plan, CancellationToken cancellationToken)
    {
        foreach (var (spec, stored, existing, reissueReason, missing) in decisions)
        {
            var reason = reissueReason;
            var ca = authorities[spec.CaName!];
            var credential = stored;
            var action = PkiChangeAction.Unchanged;
            if (reissueReason is not null)
            {
                var key = await keys.TakeAsync(cancellationToken).ConfigureAwait(false);
                credential = StoredCredential.Create(CertificateIssuer.Issue(spec, key.PublicKey, ca.Certificate, ca.Signer, run.Now, run.Request.LeafValidity), key);
                action = missing ? PkiChangeAction.Created : PkiChangeAction.Reissued;
            }

            if (spec.Kind == CertificateKind.Kubeconfig)
            {
                var content = new KubeconfigFile(run.Request.ClusterName, run.Request.ServerUrl, ca.CertificatePem, spec.KubeconfigUser!, credential!.CertificatePem, credential.KeyPem).Render();
                if (action == PkiChangeAction.Unchanged && (existing is null || !existing.AsSpan().SequenceEqual(content)))
                {
                    action = PkiChangeAction.Rewritten;
                    reason = "server, cluster name or CA in the file changed";
                }

                plan.Writes.Add(new StateFile(spec.Path, content, PkiStateDirectory.SecretMode));
            }
            else if (reissueReason is not null)
            {
                plan.AddPair(spec.Path, credential!);
            }
            else
            {
                // Unchanged: offered again only so wrong file modes are repaired.
                plan.Writes.Add(new StateFile(spec.Path + ".key", existing!, PkiStateDirectory.SecretMode));
                plan.Writes.Add(new StateFile(spec.Path + ".crt", Ascii(stored!.CertificatePem), PkiStateDirectory.PublicMode));
            }

            plan.Items.Add(new PkiChange(spec.Name, action, reason));
        }
    }

    private static async Task<StoredCredential?> LoadAuthorityAsync(CertificateSpec spec, PkiStateDirectory state, CancellationToken cancellationToken)
    {
        var certificate = await state.ReadAsync(spec.Path + ".crt", cancellationToken).ConfigureAwait(false);
        var key = await state.ReadAsync(spec.Path + ".key", cancellationToken).ConfigureAwait(false);
        if (certificate is null && key is null)
        {
            return null;
        }

        if (certificate is null || key is null)
        {
            throw new PkiStateException($"Only half of the {spec.Name} CA is in {state.Root}: {spec.Path}.{(certificate is null ? "crt" : "key")} is missing. Restore it; a new CA is never created next to an existing one.");
        }

        var stored = StoredCredential.TryParse(Encoding.ASCII.GetString(certificate), Encoding.ASCII.GetString(key), state.FullPath(spec.Path + ".key"))
            ?? throw new PkiStateException(
                // Which of the two files, and what it is not: "cannot be read" said neither, nor the way back.
                $"The {spec.Name} CA in {state.Root} is damaged: "
                + (StoredCredential.TryParseCertificate(certificate) is null
                    ? $"{state.FullPath(spec.Path + ".crt")} is not a PEM certificate at all"
                    : $"{state.FullPath(spec.Path + ".key")} is not an unencrypted RSA or ECDSA private key in PEM form")
                + ". Restore it from a backup of the state directory, or move the state aside and `bootstrap state pull --from CONTROL-PLANE`; "
                + "a new CA is never created next to an existing one.");
        CheckAuthority(spec, stored, state.FullPath(spec.Path + ".crt"));
        return stored;
    }

    private static async Task<StoredCredential> AdoptExternalAsync(CertificateSpec spec, ExternalCaFiles files, PkiStateDirectory state, Plan plan, CancellationToken cancellationToken)
    {
        byte[] certificateBytes;
        byte[] keyBytes;
        try
        {
            certificateBytes = await BoundedFile.ReadAllBytesAsync(files.CertificatePath, BoundedFile.MaxSmallFileBytes, cancellationToken).ConfigureAwait(false);
            keyBytes = await BoundedFile.ReadAllBytesAsync(files.KeyPath, BoundedFile.MaxSmallFileBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PkiStateException($"The external {spec.Name} CA cannot be read: {e.Message}", e);
        }

        var certificate = StoredCredential.TryParseCertificate(certificateBytes)
            ?? throw new PkiStateException($"{files.CertificatePath} (external {spec.Name} CA) is not a PEM certificate.");
        AsymmetricCipherKeyPair key;
        try
        {
            key = PrivateKeys.Parse(keyBytes, files.KeyPath);
        }
        catch (InvalidDataException e)
        {
            throw new PkiStateException($"External {spec.Name} CA: {e.Message}", e);
        }

        var adopted = StoredCredential.Create(certificate, key);
        CheckAuthority(spec, adopted, files.CertificatePath);

        var inState = await state.ReadAsync(spec.Path + ".crt", cancellationToken).ConfigureAwait(false);
        var stateCertificate = inState is null ? null : StoredCredential.TryParseCertificate(inState);
        if (inState is not null && (stateCertificate is null || !stateCertificate.Equals(certificate)))
        {
            throw new PkiStateException($"{state.Root} already holds a different {spec.Name} CA than {files.CertificatePath}; refusing to replace a cluster's CA.");
        }

        var keyInState = await state.ReadAsync(spec.Path + ".key", cancellationToken).ConfigureAwait(false);
        var unchanged = inState is not null && keyInState is not null
            && inState.AsSpan().SequenceEqual(Ascii(adopted.CertificatePem)) && keyInState.AsSpan().SequenceEqual(Ascii(adopted.KeyPem));
        plan.AddPair(spec.Path, adopted);
        plan.Items.Add(new PkiChange(spec.Name, unchanged ? PkiChangeAction.Unchanged : inState is null ? PkiChangeAction.Created : PkiChangeAction.Rewritten, unchanged ? null : "copied from the externally managed CA files"));
        return adopted;
    }

    private static void CheckAuthority(CertificateSpec spec, StoredCredential stored, string source)
    {
        if (!CertificateIssuer.IsAuthority(stored.Certificate))
        {
            throw new PkiStateException($"{source} ({spec.Name}) is not a CA certificate.");
        }

        if (!stored.KeyMatchesCertificate)
        {
            throw new PkiStateException($"The private key of the {spec.Name} CA does not match {source}.");
        }
    }

    /// <summary>
    /// The public half of the stored service-account key (what sa.pub must hold), or null when there is none. An RSA key's public
    /// numbers are read from its ASN.1 (no key objects, whose modulus checks cost tens of milliseconds: every init, join and plan loads it).
    /// </summary>
    private static async Task<SubjectPublicKeyInfo?> LoadServiceAccountKeyAsync(PkiStateDirectory state, bool clusterExists, CancellationToken cancellationToken)
    {
        var path = CertificateCatalog.ServiceAccountKeyPath + ".key";
        var key = await state.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return clusterExists
                ? throw new PkiStateException($"{state.FullPath(path)} is missing but this cluster's PKI exists; a new key would invalidate every service-account token. Restore it or copy /etc/kubernetes/{path} from a control-plane host.")
                : null;
        }

        try
        {
            return PrivateKeys.KeyShape.Of(key)?.RsaPublicKey
                ?? SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(PrivateKeys.Parse(key, state.FullPath(path)).Public);
        }
        catch (InvalidDataException e)
        {
            throw new PkiStateException(e.Message, e);
        }
    }

    private static async Task<(StoredCredential? Stored, byte[]? Existing, bool Missing)> LoadIssuedAsync(CertificateSpec spec, PkiStateDirectory state, CancellationToken cancellationToken)
    {
        if (spec.Kind == CertificateKind.Kubeconfig)
        {
            var file = await state.ReadAsync(spec.Path, cancellationToken).ConfigureAwait(false);
            if (file is null)
            {
                return (null, null, true);
            }

            var kubeconfig = KubeconfigFile.TryParse(file);
            return (kubeconfig is null ? null : StoredCredential.TryParse(kubeconfig.ClientCertificatePem, kubeconfig.ClientKeyPem, state.FullPath(spec.Path)), file, false);
        }

        var certificate = await state.ReadAsync(spec.Path + ".crt", cancellationToken).ConfigureAwait(false);
        var key = await state.ReadAsync(spec.Path + ".key", cancellationToken).ConfigureAwait(false);
        if (certificate is null && key is null)
        {
            return (null, null, true);
        }

        return certificate is null || key is null
            ? (null, null, false)
            : (StoredCredential.TryParse(Encoding.ASCII.GetString(certificate), Encoding.ASCII.GetString(key), state.FullPath(spec.Path + ".key")), key, false);
    }

    /// <summary>Whether the spec's file is in the state, and its certificate when it holds one (a file without is damaged, not missing).</summary>
    private static async Task<(bool Present, X509Certificate? Certificate)> ReadCertificateAsync(PkiStateDirectory state, CertificateSpec spec, CancellationToken cancellationToken)
    {
        if (spec.Kind == CertificateKind.Kubeconfig)
        {
            var file = await state.ReadAsync(spec.Path, cancellationToken).ConfigureAwait(false);
            var kubeconfig = file is null ? null : KubeconfigFile.TryParse(file);
            return (file is not null, kubeconfig is null ? null : StoredCredential.TryParseCertificate(Ascii(kubeconfig.ClientCertificatePem)));
        }

        var bytes = await state.ReadAsync(spec.Path + ".crt", cancellationToken).ConfigureAwait(false);
        return (bytes is not null, bytes is null ? null : StoredCredential.TryParseCertificate(bytes));
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>One generation or renewal: its inputs, the time it runs at, and whether the state already held this cluster.</summary>
    private sealed record Run(PkiRequest Request, PkiStateDirectory State, IReadOnlySet<string>? Renew, DateTimeOffset Now, bool ClusterExists)
    {
        public bool Renewing => Renew is not null;
    }


    /// <summary>The CAs in hand (loaded, adopted, and once created the new ones), those to create, and the service-account key unless it is to be created.</summary>
    private sealed record Authorities(Dictionary<string, StoredCredential> Loaded, List<CertificateSpec> New, SubjectPublicKeyInfo? ServiceAccount, bool CreateServiceAccount)
    {
        public int KeysToMake => New.Count + (CreateServiceAccount ? 1 : 0);
    }

    private sealed record IssueDecision(CertificateSpec Spec, StoredCredential? Stored, byte[]? Existing, string? Reason, bool Missing);

    private sealed class Plan
    {
        public List<PkiChange> Items { get; } = [];

        public List<StateFile> Writes { get; } = [];

        public void AddPair(string path, StoredCredential credential)
        {
            Writes.Add(new StateFile(path + ".key", Ascii(credential.KeyPem), PkiStateDirectory.SecretMode));
            Writes.Add(new StateFile(path + ".crt", Ascii(credential.CertificatePem), PkiStateDirectory.PublicMode));
        }
    }
}
