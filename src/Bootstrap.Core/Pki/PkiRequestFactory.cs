using Bootstrap.Core.Config;

namespace Bootstrap.Core.Pki;

/// <summary>What the PKI needs from a validated cluster file.</summary>
internal static class PkiRequestFactory
{
    public static PkiRequest FromCluster(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new PkiRequest
        {
            ClusterName = config.Name,
            ControlPlaneHosts = config.ControlPlaneHosts.Select(ToPkiHost).ToArray(),
            EtcdMembers = config.EtcdMembers.Select(ToPkiHost).ToArray(),
            EndpointHost = config.ControlPlaneEndpoint.Host,
            EndpointPort = config.ControlPlaneEndpoint.Port,
            ServiceSubnet = config.Networking.ServiceSubnet.ToString(),
            DnsDomain = config.Networking.DnsDomain,
            ExtraSans = config.ApiServer.CertSANs,
            CaValidity = config.Certificates.CAValidity,
            LeafValidity = config.Certificates.Validity,
            KeyAlgorithm = config.Certificates.KeyAlgorithm,
            ExternalCas = config.Certificates.ExternalCAs.ToDictionary(
                e => e.Key, e => new ExternalCaFiles(e.Value.CertFile, e.Value.KeyFile), StringComparer.Ordinal),
        };
    }

    private static PkiHost ToPkiHost(HostSpec host) => new(host.Name, host.Address.ToString());
}
