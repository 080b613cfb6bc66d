using System.Net;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Bootstrap.Core.Config;

namespace Bootstrap.Core.Pki;

/// <summary>
/// Everything the PKI needs to know about a cluster. A later step maps the cluster file onto it;
/// the copy used by the last successful generation is kept in the state directory so renewals
/// and expiry reports work from that directory alone.
/// </summary>
internal sealed partial record PkiRequest
{
    public static readonly TimeSpan DefaultCaValidity = TimeSpan.FromDays(3650);

    public static readonly TimeSpan DefaultLeafValidity = TimeSpan.FromDays(365);

    public static readonly TimeSpan DefaultRenewBefore = TimeSpan.FromDays(30);

    /// <summary>The cluster's name in kubeconfigs (kubeadm: "kubernetes").</summary>
    public string ClusterName { get; init; } = "kubernetes";

    public IReadOnlyList<PkiHost> ControlPlaneHosts { get; init; } = [];

    public IReadOnlyList<PkiHost> EtcdMembers { get; init; } = [];

    /// <summary>Host of the control-plane endpoint: a VIP, a load balancer's address or a DNS name.</summary>
    public string EndpointHost { get; init; } = string.Empty;

    public int EndpointPort { get; init; } = 6443;

    /// <summary>The service CIDR; its first address is the in-cluster "kubernetes" service IP. With dual stack, the first CIDR counts.</summary>
    public string ServiceSubnet { get; init; } = "10.96.0.0/12";

    public string DnsDomain { get; init; } = "cluster.local";

    /// <summary>Further DNS names or IP addresses for the API server certificate.</summary>
    public IReadOnlyList<string> ExtraSans { get; init; } = [];

    public TimeSpan CaValidity { get; init; } = DefaultCaValidity;

    public TimeSpan LeafValidity { get; init; } = DefaultLeafValidity;

    /// <summary>A leaf that expires sooner than this is re-issued by the next generation.</summary>
    public TimeSpan RenewBefore { get; init; } = DefaultRenewBefore;

    public KeyAlgorithm KeyAlgorithm { get; init; } = KeyAlgorithm.Rsa2048;

    /// <summary>User-managed CAs keyed by catalog CA name: "ca", "etcd-ca" or "front-proxy-ca".</summary>
    public IReadOnlyDictionary<string, ExternalCaFiles> ExternalCas { get; init; } = new Dictionary<string, ExternalCaFiles>();

    /// <summary>The API server URL written into kubeconfigs.</summary>
    [JsonIgnore]
    public string ServerUrl =>
        IPAddress.TryParse(EndpointHost, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"https://[{EndpointHost}]:{EndpointPort}"
            : $"https://{EndpointHost}:{EndpointPort}";

    /// <summary>Every problem with the request, empty when it is valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!DnsLabel().IsMatch(ClusterName))
        {
            problems.Add($"cluster name '{ClusterName}' must be a lower-case DNS label");
        }

        if (ControlPlaneHosts.Count == 0)
        {
            problems.Add("at least one control-plane host is required");
        }

        if (EtcdMembers.Count == 0)
        {
            problems.Add("at least one etcd member is required");
        }

        ValidateHosts("control-plane host", ControlPlaneHosts, problems);
        ValidateHosts("etcd member", EtcdMembers, problems);

        if (!IsHostName(EndpointHost) && !IPAddress.TryParse(EndpointHost, out _))
        {
            problems.Add($"endpoint host '{EndpointHost}' is neither a DNS name nor an IP address");
        }

        if (EndpointPort is < 1 or > 65535)
        {
            problems.Add($"endpoint port {EndpointPort} is outside 1-65535");
        }

        if (!Cidr.TryFirstAddress(ServiceSubnet, out _))
        {
            problems.Add($"service subnet '{ServiceSubnet}' is not a CIDR with room for a service IP");
        }

        if (!IsHostName(DnsDomain))
        {
            problems.Add($"DNS domain '{DnsDomain}' is not a DNS name");
        }

        foreach (var san in ExtraSans)
        {
            if (!IsHostName(san) && !IsWildcard(san) && !IPAddress.TryParse(san, out _))
            {
                problems.Add($"extra SAN '{san}' is neither a DNS name nor an IP address");
            }
        }

        if (CaValidity <= TimeSpan.Zero || LeafValidity <= TimeSpan.Zero)
        {
            problems.Add("validities must be positive");
        }

        if (RenewBefore < TimeSpan.Zero || RenewBefore >= LeafValidity)
        {
            problems.Add("the renewal window must be at least zero and shorter than the leaf validity");
        }

        foreach (var name in ExternalCas.Keys)
        {
            if (!CertificateCatalog.AuthorityNames.Contains(name))
            {
                problems.Add($"external CA '{name}' is not one of {string.Join(", ", CertificateCatalog.AuthorityNames)}");
            }
        }

        return problems;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming every problem.</summary>
    public void EnsureValid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid PKI request: " + string.Join("; ", problems));
        }
    }

    internal static bool IsHostName(string value) => value.Length <= 253 && HostName().IsMatch(value);

    private static bool IsWildcard(string value) => value.StartsWith("*.", StringComparison.Ordinal) && IsHostName(value[2..]);

    private static void ValidateHosts(string what, IReadOnlyList<PkiHost> hosts, List<string> problems)
    {
        foreach (var host in hosts)
        {
            if (!IsHostName(host.Name))
            {
                problems.Add($"{what} name '{host.Name}' is not a lower-case DNS name");
            }

            if (!IPAddress.TryParse(host.Address, out _))
            {
                problems.Add($"{what} '{host.Name}' address '{host.Address}' is not an IP address");
            }
        }

        foreach (var duplicate in hosts.GroupBy(h => h.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"{what} '{duplicate.Key}' is listed more than once");
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex HostName();
}
