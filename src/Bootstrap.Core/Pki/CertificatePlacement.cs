namespace Bootstrap.Core.Pki;

/// <summary>
/// Which files of the PKI each host gets, derived from the <see cref="CertificateCatalog"/> (and the service-account
/// key pair, which control planes share): kubeadm's paths under /etc/kubernetes, keys and kubeconfigs secret.
/// </summary>
internal static class CertificatePlacement
{
    public const string HostRoot = "/etc/kubernetes";

    /// <summary>The files of <paramref name="host"/>, in catalog order (certificate before key).</summary>
    public static IReadOnlyList<PlacedFile> For(PkiRequest request, string host)
    {
        ArgumentNullException.ThrowIfNull(request);
        var controlPlane = request.ControlPlaneHosts.Any(h => h.Name == host);
        var member = request.EtcdMembers.Any(h => h.Name == host);
        bool On(CertificateSpec spec, CertificateHosts hosts) =>
            (hosts.HasFlag(CertificateHosts.ControlPlanes) && controlPlane)
            || (hosts.HasFlag(CertificateHosts.EtcdMembers) && member)
            || (hosts.HasFlag(CertificateHosts.OwnHost) && spec.Host == host);

        var files = new List<PlacedFile>();
        foreach (var spec in CertificateCatalog.Build(request))
        {
            if (spec.Kind == CertificateKind.Kubeconfig)
            {
                if (On(spec, spec.CertificateOn))
                {
                    files.Add(new PlacedFile(spec.Path, $"{HostRoot}/{spec.HostPath}", Secret: true, spec.HostOwner, spec.Kind));
                }

                continue;
            }

            if (On(spec, spec.CertificateOn))
            {
                files.Add(new PlacedFile(spec.Path + ".crt", $"{HostRoot}/{spec.HostPath}.crt", Secret: false, spec.HostOwner, spec.Kind));
            }

            if (On(spec, spec.KeyOn))
            {
                files.Add(new PlacedFile(spec.Path + ".key", $"{HostRoot}/{spec.HostPath}.key", Secret: true, spec.HostOwner, spec.Kind));
            }
        }

        if (controlPlane)
        {
            files.Add(new PlacedFile(CertificateCatalog.ServiceAccountKeyPath + ".key", $"{HostRoot}/{CertificateCatalog.ServiceAccountKeyPath}.key", Secret: true, "root", CertificateKind.Leaf));
            files.Add(new PlacedFile(CertificateCatalog.ServiceAccountKeyPath + ".pub", $"{HostRoot}/{CertificateCatalog.ServiceAccountKeyPath}.pub", Secret: false, "root", CertificateKind.Leaf));
        }

        return files;
    }
}
