using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Install;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Identity;

/// <summary>
/// <c>bootstrap state pull</c>: rebuilds a cluster state on this workstation from the cluster's hosts, so that a
/// second workstation (or one that lost its state) can run Bootstrap against a running cluster without replacing its
/// identity. From the named control-plane host it takes the CAs and their keys, the service-account key pair, the
/// shared leaves and kubeconfigs and the encryption keys; from each etcd member its own server and peer pair; from the
/// load balancers the VRRP password. Everything is checked before anything is written: each key against its
/// certificate, each leaf against its CA, the same CAs on every control-plane host, the same password on every load
/// balancer. Into an empty state it writes everything; into a state that exists it only adds what the state lacks and
/// refuses when any file differs. Files are written 0600 (certificates 0644), request.json last; nothing secret is
/// ever printed.
/// </summary>
internal static class StatePull
{
    /// <param name="hosts">The connected hosts: at least <paramref name="from"/>; the other control planes, etcd members and load balancers when reachable.</param>
    /// <exception cref="PkiStateException">Something does not verify, differs between hosts, or differs from what the state already holds; nothing was written.</exception>
    public static async Task<StatePullResult> PullAsync(ClusterConfig config, string from, IReadOnlyDictionary<string, IRemoteHost> hosts, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(redactor);
        var source = config.Hosts.FirstOrDefault(h => h.Name == from);
        if (source is null || !source.HasRole(HostRole.ControlPlane))
        {
            throw new ArgumentException($"--from {from}: not a control-plane host of {config.Name}; name one of: {string.Join(", ", config.ControlPlaneHosts.Select(h => h.Name))}");
        }

        var request = PkiRequestFactory.FromCluster(config);
        var notes = new List<string>();
        var files = new Dictionary<string, StateFile>(StringComparer.Ordinal);

        // The shared files from the named host; each etcd member's own pair from the member itself.
        await ReadPlacedAsync(hosts[from], request, files, own: null, cancellationToken).ConfigureAwait(false);
        foreach (var member in config.EtcdMembers.Where(m => m.Name != from))
        {
            if (!hosts.TryGetValue(member.Name, out var host))
            {
                notes.Add($"{member.Name} was not reachable: its etcd server and peer certificates are not in the state; the next init issues new ones and restarts its etcd");
                continue;
            }

            await ReadPlacedAsync(host, request, files, own: member.Name, cancellationToken).ConfigureAwait(false);
        }

        var missingIdentity = ClusterIdentity.PkiFiles.Where(f => !files.ContainsKey(f.StatePath)).Select(f => f.HostPath).ToList();
        if (missingIdentity.Count > 0)
        {
            throw new PkiStateException($"{from} lacks part of the cluster identity ({string.Join(", ", missingIdentity)}): is it a control-plane host set up by Bootstrap or kubeadm?");
        }

        Verify(files, request);
        await CheckOtherControlPlanesAsync(config, from, hosts, files, redactor, cancellationToken).ConfigureAwait(false);
        var keys = await EncryptionKeysAsync(hosts[from], cancellationToken).ConfigureAwait(false);
        files[ClusterSecrets.EncryptionKeysFile] = new StateFile(ClusterSecrets.EncryptionKeysFile, ClusterSecrets.FormatKeys(keys), PkiStateDirectory.SecretMode);
        if (await VrrpPasswordAsync(config, hosts, notes, cancellationToken).ConfigureAwait(false) is { } password)
        {
            redactor.Register(password);
            files[ClusterSecrets.VrrpPasswordFile] = new StateFile(ClusterSecrets.VrrpPasswordFile, Encoding.ASCII.GetBytes(password + "\n"), PkiStateDirectory.SecretMode);
        }

        var written = await WriteAsync(config.StateDirectory, files.Values.ToList(), request, cancellationToken).ConfigureAwait(false);
        return new StatePullResult(written, notes);
    }

    private static async Task ReadPlacedAsync(IRemoteHost host, PkiRequest request, Dictionary<string, StateFile> files, string? own, CancellationToken cancellationToken)
    {
        foreach (var placed in CertificatePlacement.For(request, host.Name))
        {
            if ((own is not null && !placed.StatePath.StartsWith($"hosts/{own}/", StringComparison.Ordinal)) || files.ContainsKey(placed.StatePath))
            {
                continue;
            }

            if (await host.DownloadAsync(placed.HostPath, cancellationToken).ConfigureAwait(false) is { } content)
            {
                files[placed.StatePath] = new StateFile(placed.StatePath, content, placed.Secret ? PkiStateDirectory.SecretMode : PkiStateDirectory.PublicMode);
            }
        }
    }

    /// <summary>Every key pair matches, every leaf is signed by its CA, every CA is a CA.</summary>
    private static void Verify(Dictionary<string, StateFile> files, PkiRequest request)
    {
        var authorities = new Dictionary<string, Org.BouncyCastle.X509.X509Certificate>(StringComparer.Ordinal);
        foreach (var spec in CertificateCatalog.Build(request).Where(s => s.Kind != CertificateKind.Kubeconfig))
        {
            if (!files.TryGetValue(spec.Path + ".crt", out var certificate) || !files.TryGetValue(spec.Path + ".key", out var key))
            {
                continue;
            }

            var credential = StoredCredential.TryParse(Encoding.ASCII.GetString(certificate.Content), Encoding.ASCII.GetString(key.Content), spec.Path)
                ?? throw new PkiStateException($"{spec.Path}.crt/.key: not a certificate and an unencrypted private key");
            if (!credential.KeyMatchesCertificate)
            {
                throw new PkiStateException($"{spec.Path}.key does not belong to {spec.Path}.crt on the host; nothing was written");
            }

            if (spec.Kind == CertificateKind.Authority)
            {
                if (credential.Certificate.GetBasicConstraints() < 0)
                {
                    throw new PkiStateException($"{spec.Path}.crt on the host is not a CA certificate; nothing was written");
                }

                authorities[spec.Name] = credential.Certificate;
                continue;
            }

            if (spec.CaName is { } ca && authorities.TryGetValue(ca, out var authority))
            {
                try
                {
                    credential.Certificate.Verify(authority.GetPublicKey());
                }
                catch (Exception e) when (e is Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.Certificates.CertificateException or Org.BouncyCastle.Security.SignatureException)
                {
                    throw new PkiStateException($"{spec.Path}.crt on the host is not signed by its CA ({ca}); nothing was written", e);
                }
            }
        }
    }

    /// <summary>The other control planes must hold the same identity files; a cluster split between two CAs is for an admin to resolve.</summary>
    private static async Task CheckOtherControlPlanesAsync(
        ClusterConfig config, string from, IReadOnlyDictionary<string, IRemoteHost> hosts, Dictionary<string, StateFile> files, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        var wanted = ClusterIdentity.PkiFiles.ToDictionary(
            f => f.HostPath, f => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(files[f.StatePath].Content)), StringComparer.Ordinal);
        foreach (var other in config.ControlPlaneHosts.Where(h => h.Name != from && hosts.ContainsKey(h.Name)))
        {
            var found = await RemoteFileProbe.ReadAsync(hosts[other.Name], [.. wanted.Keys], redactor, cancellationToken).ConfigureAwait(false);
            var different = found.Where(f => f.Value is not null && !string.Equals(f.Value.Sha256, wanted[f.Key], StringComparison.OrdinalIgnoreCase)).Select(f => f.Key).ToList();
            if (different.Count > 0)
            {
                throw new PkiStateException(
                    $"{other.Name} holds other identity files than {from} ({string.Join(", ", different)}): the control planes disagree on the cluster's identity. "
                    + "Nothing was written; find out which host is right before importing from it.");
            }
        }
    }

    private static async Task<IReadOnlyList<EncryptionKey>> EncryptionKeysAsync(IRemoteHost host, CancellationToken cancellationToken)
    {
        var yaml = await host.DownloadAsync(KubeadmLayout.EncryptionConfig, cancellationToken).ConfigureAwait(false)
            ?? throw new PkiStateException($"{host.Name} has no {KubeadmLayout.EncryptionConfig}: without it the Secrets in etcd cannot be read back; nothing was written");
        var keys = ClusterIdentity.ParseEncryptionKeys(Encoding.UTF8.GetString(yaml), $"{host.Name}:{KubeadmLayout.EncryptionConfig}");
        return keys.Count > 0 ? keys : throw new PkiStateException($"{host.Name}:{KubeadmLayout.EncryptionConfig} holds no aescbc key; nothing was written");
    }

    private static async Task<string?> VrrpPasswordAsync(ClusterConfig config, IReadOnlyDictionary<string, IRemoteHost> hosts, List<string> notes, CancellationToken cancellationToken)
    {
        if (config.LoadBalancer.Type != LoadBalancerType.HaproxyKeepalived)
        {
            return null;
        }

        var passwords = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var balancer in config.LoadBalancerHosts.Where(h => hosts.ContainsKey(h.Name)))
        {
            if (await hosts[balancer.Name].DownloadAsync(InstallFiles.KeepalivedConfig, cancellationToken).ConfigureAwait(false) is { } content
                && ClusterIdentity.ParseVrrpPassword(Encoding.UTF8.GetString(content)) is { } password)
            {
                passwords[balancer.Name] = password;
            }
        }

        if (passwords.Values.Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw new PkiStateException($"the load balancers hold different VRRP passwords ({string.Join(", ", passwords.Keys)}); nothing was written");
        }

        if (passwords.Count == 0)
        {
            throw new PkiStateException(
                $"no load balancer of {config.Name} could be read for its VRRP password ({InstallFiles.KeepalivedConfig}); reach one of {string.Join(", ", config.LoadBalancerHosts.Select(h => h.Name))} and run again");
        }

        return passwords.Values.First();
    }

    private static async Task<IReadOnlyList<string>> WriteAsync(string stateDirectory, IReadOnlyList<StateFile> files, PkiRequest request, CancellationToken cancellationToken)
    {
        var state = new PkiStateDirectory(stateDirectory);
        var exists = state.Exists(PkiStateDirectory.RequestFile);
        var toWrite = new List<StateFile>();
        var differing = new List<string>();
        foreach (var file in files.OrderBy(f => f.Path.EndsWith(".crt", StringComparison.Ordinal) ? 1 : 0))
        {
            var current = await state.ReadAsync(file.Path, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                toWrite.Add(file);
            }
            else if (!current.AsSpan().SequenceEqual(file.Content))
            {
                differing.Add(file.Path);
            }
        }

        // The legacy single-key file stands for the keys when it is there: compare the keys, not the file.
        if (exists && await ClusterSecrets.ReadKeysAsync(state, cancellationToken).ConfigureAwait(false) is { } stateKeys
            && files.FirstOrDefault(f => f.Path == ClusterSecrets.EncryptionKeysFile) is { } pulled
            && !state.Exists(ClusterSecrets.EncryptionKeysFile))
        {
            toWrite.RemoveAll(f => f.Path == ClusterSecrets.EncryptionKeysFile);
            if (!ClusterSecrets.FormatKeys(stateKeys).AsSpan().SequenceEqual(pulled.Content))
            {
                differing.Add(ClusterSecrets.LegacyEncryptionKeyFile);
            }
        }

        if (differing.Count > 0)
        {
            throw new PkiStateException(
                $"the cluster state in {state.Root} already holds other content than the cluster's hosts for: {string.Join(", ", differing)}. "
                + "Nothing was written: this state belongs to another cluster (or is damaged). Pull into an empty state directory (move this one aside).");
        }

        if (!exists)
        {
            toWrite.Add(new StateFile(PkiStateDirectory.RequestFile, PkiRequestJson.Serialize(request), PkiStateDirectory.SecretMode));
        }

        return await PkiManager.CommitAsync(stateDirectory, toWrite, cancellationToken).ConfigureAwait(false);
    }
}
