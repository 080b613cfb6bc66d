using System.Globalization;
using System.Net.Sockets;
using Bootstrap.Core.ControlPlane;
using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>
/// Maps the YAML tree of a cluster file to a <see cref="ClusterDraft"/>, section by section,
/// recording an error with position and field path for everything that does not fit.
/// </summary>
internal static class ClusterFileReader
{
    public const int DefaultEndpointPort = 6443;
    public const string DefaultDnsDomain = "cluster.local";
    public static readonly TimeSpan DefaultCAValidity = TimeSpan.FromHours(87600);
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromHours(8760);

    private static readonly string[] TopKeys = ["apiVersion", "kind", "metadata", "spec"];
    private static readonly string[] MetadataKeys = ["name"];

    private static readonly string[] SpecKeys =
    [
        "kubernetesVersion", "controlPlaneEndpoint", "networking", "loadBalancer", "etcd", "artifacts", "imageRepository",
        "ssh", "hosts", "controlPlane", "kubelet", "kubeProxy", "apiServer", "controllerManager", "scheduler", "certificates", "addons", "stateDirectory",
    ];

    private static readonly string[] EndpointKeys = ["host", "port"];
    private static readonly string[] NetworkingKeys = ["hostSubnet", "podSubnet", "serviceSubnet", "dnsDomain", "cni"];
    private static readonly string[] PodNetworks = ["bridge", "none"];
    private static readonly string[] AddonsKeys = ["coreDNS"];
    private static readonly string[] LoadBalancerKeys = ["type", "virtualIP", "virtualRouterId", "interface"];
    private static readonly string[] LoadBalancerTypes = ["haproxy-keepalived", "external"];
    private static readonly string[] EtcdKeys = ["topology", "extraArgs", "version", "backup"];
    private static readonly string[] EtcdBackupKeys = ["schedule", "keep", "directory"];
    private static readonly string[] EtcdTopologies = ["stacked", "dedicated"];
    private static readonly string[] ArtifactsKeys = ["directory", "baseUrl", "sha256"];
    private static readonly string[] ControlPlaneKeys = ["runKubelet"];
    private static readonly string[] KubeletKeys = ["configPatch", "extraArgs"];
    private static readonly string[] KubeProxyKeys = ["mode"];
    private static readonly string[] KubeProxyModes = ["iptables", "ipvs"];
    private static readonly string[] ApiServerKeys = ["certSANs", "extraArgs"];
    private static readonly string[] ComponentKeys = ["extraArgs"];
    private static readonly string[] CertificatesKeys = ["caValidity", "validity", "keyAlgorithm", "externalCAs"];
    private static readonly string[] ExternalCaNames = ["ca", "etcd-ca", "front-proxy-ca"];
    private static readonly string[] ExternalCaKeys = ["certFile", "keyFile"];
    private static readonly string[] KeyAlgorithms = ["rsa-2048", "ecdsa-p256"];

    public static ClusterDraft Read(ParseContext context, YamlNode root)
    {
        var top = MappingReader.Open(context, root, string.Empty, TopKeys);
        if (top is null)
        {
            return new ClusterDraft();
        }

        if (top.RequiredString("apiVersion", $"\"{ClusterConfig.ApiVersion}\"") is { } apiVersion && apiVersion != ClusterConfig.ApiVersion)
        {
            context.Error(top.Get("apiVersion")!, "apiVersion", $"expected \"{ClusterConfig.ApiVersion}\"; found {InputQuote.Quote(apiVersion)}");
        }

        if (top.RequiredString("kind", $"\"{ClusterConfig.Kind}\"") is { } kind && kind != ClusterConfig.Kind)
        {
            context.Error(top.Get("kind")!, "kind", $"expected \"{ClusterConfig.Kind}\"; found {InputQuote.Quote(kind)}");
        }

        var name = ReadMetadata(context, top);
        var spec = top.Required("spec", "a mapping with the cluster's specification") is { } specNode
            ? MappingReader.Open(context, specNode, "spec", SpecKeys)
            : null;
        if (spec is null)
        {
            return new ClusterDraft { Name = name };
        }

        var kubelet = spec.Get("kubelet") is { } kubeletNode ? MappingReader.Open(context, kubeletNode, "spec.kubelet", KubeletKeys) : null;
        var patch = kubelet?.Get("configPatch") is { } patchNode ? KubeletPatchReader.Read(context, patchNode, kubelet.PathOf("configPatch")) : null;
        var stateDirectory = spec.String("stateDirectory");

        return new ClusterDraft
        {
            Name = name,
            KubernetesVersion = ReadVersion(spec),
            Endpoint = ReadEndpoint(spec),
            Networking = ReadNetworking(spec),
            LoadBalancer = ReadLoadBalancer(spec),
            Etcd = ReadEtcd(spec),
            Artifacts = ArtifactsReader.Read(spec),
            Ssh = spec.Get("ssh") is { } sshNode ? SshReader.Read(context, sshNode, "spec.ssh", isDefaults: true) : new SshFields { Concurrency = SshReader.DefaultConcurrency },
            Hosts = HostsReader.Read(spec),
            KubeletConfigPatch = patch,
            ControlPlane = ReadControlPlane(spec),
            KubeProxy = ReadKubeProxy(spec),
            CertSANs = ReadCertSANs(spec),
            ExtraArgs = ReadExtraArgs(spec, kubelet),
            Certificates = ReadCertificates(spec),
            ImageRepository = ReadImageRepository(spec),
            Addons = ReadAddons(spec),
            StateDirectory = stateDirectory is null ? null : context.ResolvePath(stateDirectory),
        };
    }

    private static string? ReadImageRepository(MappingReader spec)
    {
        if (spec.Get("imageRepository") is not { } node)
        {
            return ClusterConfig.DefaultImageRepository;
        }

        if (spec.Scalar(node, spec.PathOf("imageRepository"), ScalarFormats.ImageRepositoryExpectation) is not { } text)
        {
            return null;
        }

        if (!ScalarFormats.IsImageRepository(text))
        {
            spec.Context.Error(node, spec.PathOf("imageRepository"), $"expected {ScalarFormats.ImageRepositoryExpectation}; found {InputQuote.Quote(text)}");
            return null;
        }

        return text;
    }

    private static AddonsSpec? ReadAddons(MappingReader spec)
    {
        if (spec.Get("addons") is not { } node)
        {
            return AddonsSpec.Default;
        }

        var coreDns = MappingReader.Open(spec.Context, node, spec.PathOf("addons"), AddonsKeys)?.Bool("coreDNS", true);
        return coreDns is null ? null : new AddonsSpec { CoreDns = coreDns.Value };
    }

    private static string? ReadMetadata(ParseContext context, MappingReader top)
    {
        const string expectation = "a cluster name: lowercase letters, digits and '-' (an RFC 1123 label, at most 63 characters)";
        if (top.Required("metadata", "a mapping with the cluster's name") is not { } node
            || MappingReader.Open(context, node, "metadata", MetadataKeys) is not { } metadata
            || metadata.RequiredString("name", expectation) is not { } name)
        {
            return null;
        }

        if (!ScalarFormats.IsDnsLabel(name))
        {
            context.Error(metadata.Get("name")!, "metadata.name", $"expected {expectation}; found {InputQuote.Quote(name)}");
            return null;
        }

        return name;
    }

    private static KubernetesVersion? ReadVersion(MappingReader spec)
    {
        const string expectation = "a Kubernetes release such as v1.20.2";
        if (spec.RequiredString("kubernetesVersion", expectation) is not { } text)
        {
            return null;
        }

        var node = spec.Get("kubernetesVersion")!;
        var version = ScalarFormats.Version(text);
        if (version is null)
        {
            var hint = ScalarFormats.Version("v" + text) is not null ? $"; did you mean \"v{text}\"?" : string.Empty;
            spec.Context.Error(node, spec.PathOf("kubernetesVersion"), $"expected {expectation}; found {InputQuote.Quote(text)}{hint}");
            return null;
        }

        if (version.Major != 1 || version.Minor < 20)
        {
            spec.Context.Error(node, spec.PathOf("kubernetesVersion"), $"Kubernetes {version} is not supported; expected v1.20.0 or later within major version 1");
            return null;
        }

        if (version.Minor > FlagVersionGates.NewestKnownMinor)
        {
            var newest = "v1." + FlagVersionGates.NewestKnownMinor.ToString(CultureInfo.InvariantCulture);
            spec.Context.Warning(node, spec.PathOf("kubernetesVersion"),
                $"Kubernetes {version} is newer than any release whose component flags Bootstrap knows ({newest} is the newest; the lab verifies v1.20); a flag removed after {newest} would still be passed and the component would refuse to start");
        }

        return version;
    }

    private static ControlPlaneEndpoint? ReadEndpoint(MappingReader spec)
    {
        if (spec.Get("controlPlaneEndpoint") is not { } node)
        {
            return new ControlPlaneEndpoint { Host = string.Empty, Port = DefaultEndpointPort };
        }

        var map = MappingReader.Open(spec.Context, node, spec.PathOf("controlPlaneEndpoint"), EndpointKeys);
        if (map is null)
        {
            return null;
        }

        var host = map.String("host");
        var port = map.Int("port", 1, 65535, DefaultEndpointPort);
        if (host is not null && !ScalarFormats.IsHost(host))
        {
            spec.Context.Error(map.Get("host")!, map.PathOf("host"),
                $"expected {ScalarFormats.HostExpectation} (the virtual IP or a name that resolves to the load balancer); found {InputQuote.Quote(host)}{ScalarFormats.NotAnAddressHint(host)}");
            return null;
        }

        return port is null || (map.Get("host") is not null && host is null)
            ? null
            : new ControlPlaneEndpoint { Host = host ?? string.Empty, Port = port.Value };
    }

    private static NetworkingSpec? ReadNetworking(MappingReader spec)
    {
        if (spec.Required("networking", "a mapping with hostSubnet, podSubnet and serviceSubnet") is not { } node
            || MappingReader.Open(spec.Context, node, spec.PathOf("networking"), NetworkingKeys) is not { } map)
        {
            return null;
        }

        var hosts = Cidr(map, "hostSubnet");
        var pods = Cidr(map, "podSubnet");
        var services = Cidr(map, "serviceSubnet");
        var domain = map.String("dnsDomain") ?? DefaultDnsDomain;
        var cni = map.OneOf("cni", PodNetworks, "bridge");
        if (!ScalarFormats.IsDnsName(domain))
        {
            spec.Context.Error(map.Get("dnsDomain")!, map.PathOf("dnsDomain"), $"expected a DNS domain such as cluster.local (lowercase RFC 1123 labels separated by dots); found {InputQuote.Quote(domain)}");
            return null;
        }

        return hosts is null || pods is null || services is null || cni is null
            ? null
            : new NetworkingSpec
            {
                HostSubnet = hosts.Value,
                PodSubnet = pods.Value,
                ServiceSubnet = services.Value,
                DnsDomain = domain,
                Cni = cni == "none" ? PodNetwork.None : PodNetwork.Bridge,
            };
    }

    private static System.Net.IPNetwork? Cidr(MappingReader map, string key)
    {
        if (map.RequiredString(key, ScalarFormats.CidrExpectation) is not { } text)
        {
            return null;
        }

        var network = ScalarFormats.Cidr(text, out var problem);
        if (network is null)
        {
            map.Context.Error(map.Get(key)!, map.PathOf(key), problem!);
        }

        return network;
    }

    private static LoadBalancerSpec? ReadLoadBalancer(MappingReader spec)
    {
        if (spec.Required("loadBalancer", "a mapping with type haproxy-keepalived or external") is not { } node
            || MappingReader.Open(spec.Context, node, spec.PathOf("loadBalancer"), LoadBalancerKeys) is not { } map)
        {
            return null;
        }

        var type = map.Required("type", "one of " + string.Join(", ", LoadBalancerTypes)) is null
            ? null
            : map.OneOf("type", LoadBalancerTypes, null);
        var routerId = map.Int("virtualRouterId", 1, 255, 51);
        var nic = map.String("interface");
        System.Net.IPAddress? vip = null;
        var vipValid = true;
        if (map.Get("virtualIP") is { } vipNode && map.Scalar(vipNode, map.PathOf("virtualIP"), ScalarFormats.AddressExpectation) is { } vipText)
        {
            vip = ScalarFormats.Address(vipText);
            if (vip is null)
            {
                spec.Context.Error(vipNode, map.PathOf("virtualIP"), $"expected {ScalarFormats.AddressExpectation}; found {InputQuote.Quote(vipText)}");
                vipValid = false;
            }
        }
        else if (map.Get("virtualIP") is not null)
        {
            vipValid = false;
        }

        if (type == "haproxy-keepalived" && map.Get("virtualIP") is null)
        {
            map.Required("virtualIP", "the virtual IP keepalived moves between the loadbalancer hosts");
            vipValid = false;
        }

        if (type == "external" && map.Get("virtualIP") is { } extraVip)
        {
            spec.Context.Error(extraVip, map.PathOf("virtualIP"), "virtualIP is only used with type haproxy-keepalived; with an external load balancer set controlPlaneEndpoint.host");
            vipValid = false;
        }

        if (nic is not null && !NetworkInterfaceName.IsValid(nic))
        {
            spec.Context.Error(map.Get("interface")!, map.PathOf("interface"), $"expected {NetworkInterfaceName.Expectation}; found {InputQuote.Quote(nic)}");
            return null;
        }

        return type is null || routerId is null || !vipValid
            ? null
            : new LoadBalancerSpec
            {
                Type = type == "external" ? LoadBalancerType.External : LoadBalancerType.HaproxyKeepalived,
                VirtualIP = vip,
                VirtualRouterId = routerId.Value,
                Interface = nic,
            };
    }

    private static EtcdSpec? ReadEtcd(MappingReader spec)
    {
        if (spec.Get("etcd") is not { } node)
        {
            return new EtcdSpec { Topology = EtcdTopology.Stacked };
        }

        if (MappingReader.Open(spec.Context, node, spec.PathOf("etcd"), EtcdKeys) is not { } etcd)
        {
            return null;
        }

        KubernetesVersion? version = null;
        if (etcd.Get("version") is { } versionNode && etcd.Scalar(versionNode, etcd.PathOf("version"), "an etcd release such as 3.5.16") is { } text)
        {
            version = ScalarFormats.Version(text.StartsWith('v') ? text : "v" + text);
            if (version is null)
            {
                spec.Context.Error(versionNode, etcd.PathOf("version"), $"expected an etcd release such as 3.5.16; found {InputQuote.Quote(text)}");
                return null;
            }
        }

        var topology = etcd.OneOf("topology", EtcdTopologies, "stacked");
        var backup = etcd.Get("backup") is { } backupNode ? ReadEtcdBackup(etcd, backupNode) : (Valid: true, Spec: null);
        return topology is null || !backup.Valid
            ? null
            : new EtcdSpec { Topology = topology == "dedicated" ? EtcdTopology.Dedicated : EtcdTopology.Stacked, Version = version, Backup = backup.Spec };
    }

    /// <summary><c>etcd.backup: {schedule, keep, directory}</c>; <c>backup: {}</c> takes every default.</summary>
    private static (bool Valid, EtcdBackupSpec? Spec) ReadEtcdBackup(MappingReader etcd, YamlNode node)
    {
        var context = etcd.Context;
        var path = etcd.PathOf("backup");
        if (node is YamlMappingNode { Children.Count: 0 })
        {
            return (true, new EtcdBackupSpec());
        }

        if (MappingReader.Open(context, node, path, EtcdBackupKeys) is not { } backup)
        {
            return (false, null);
        }

        var valid = true;
        var schedule = backup.String("schedule") ?? EtcdBackupSpec.DefaultSchedule;
        if (ScalarFormats.CalendarEventProblem(schedule) is { } scheduleProblem)
        {
            context.Error(backup.Get("schedule")!, backup.PathOf("schedule"), scheduleProblem);
            valid = false;
        }

        var keep = backup.Int("keep", 1, 1000, EtcdBackupSpec.DefaultKeep);
        var directory = backup.String("directory") ?? EtcdBackupSpec.DefaultDirectory;
        if (ScalarFormats.BackupDirectoryProblem(directory) is { } directoryProblem)
        {
            context.Error(backup.Get("directory")!, backup.PathOf("directory"), directoryProblem);
            valid = false;
        }

        return valid && keep is { } count ? (true, new EtcdBackupSpec { Schedule = schedule, Keep = count, Directory = directory }) : (false, null);
    }

    private static ControlPlaneSpec? ReadControlPlane(MappingReader spec)
    {
        if (spec.Get("controlPlane") is not { } node)
        {
            return new ControlPlaneSpec { RunKubelet = true };
        }

        var runKubelet = MappingReader.Open(spec.Context, node, spec.PathOf("controlPlane"), ControlPlaneKeys)?.Bool("runKubelet", true);
        return runKubelet is null ? null : new ControlPlaneSpec { RunKubelet = runKubelet.Value };
    }

    /// <summary>kubeadm's extraArgs of each component: apiServer, controllerManager, scheduler, etcd and kubelet.</summary>
    private static ExtraArgs? ReadExtraArgs(MappingReader spec, MappingReader? kubelet)
    {
        IReadOnlyDictionary<string, string>? Of(MappingReader? section) =>
            section?.Get("extraArgs") is { } node ? ExtraArgsReader.Read(spec.Context, node, section.PathOf("extraArgs")) : new Dictionary<string, string>();
        MappingReader? Section(string key, string[] keys) =>
            spec.Get(key) is { } node ? MappingReader.Open(spec.Context, node, spec.PathOf(key), keys) : null;

        var apiServer = Of(Section("apiServer", ApiServerKeys));
        var controllerManager = Of(Section("controllerManager", ComponentKeys));
        var scheduler = Of(Section("scheduler", ComponentKeys));
        var etcd = Of(Section("etcd", EtcdKeys));
        var kubeletFlags = Of(kubelet);
        return apiServer is null || controllerManager is null || scheduler is null || etcd is null || kubeletFlags is null
            ? null
            : new ExtraArgs { ApiServer = apiServer, ControllerManager = controllerManager, Scheduler = scheduler, Etcd = etcd, Kubelet = kubeletFlags };
    }

    private static KubeProxySpec? ReadKubeProxy(MappingReader spec)
    {
        if (spec.Get("kubeProxy") is not { } node)
        {
            return new KubeProxySpec { Mode = KubeProxyMode.Iptables };
        }

        return MappingReader.Open(spec.Context, node, spec.PathOf("kubeProxy"), KubeProxyKeys)?.OneOf("mode", KubeProxyModes, "iptables") switch
        {
            "iptables" => new KubeProxySpec { Mode = KubeProxyMode.Iptables },
            "ipvs" => new KubeProxySpec { Mode = KubeProxyMode.Ipvs },
            _ => null,
        };
    }

    private static string[]? ReadCertSANs(MappingReader spec)
    {
        if (spec.Get("apiServer") is not { } node)
        {
            return [];
        }

        var map = MappingReader.Open(spec.Context, node, spec.PathOf("apiServer"), ApiServerKeys);
        const string expectation = "IP addresses or DNS names (a leading \"*.\" allowed)";
        var items = map?.StringList("certSANs", expectation);
        if (items is null)
        {
            return null;
        }

        var ok = true;
        foreach (var (value, itemNode, itemPath) in items)
        {
            var name = value.StartsWith("*.", StringComparison.Ordinal) ? value[2..] : value;
            if (ScalarFormats.Address(value) is null && !ScalarFormats.IsDnsName(name))
            {
                spec.Context.Error(itemNode, itemPath, $"expected an IP address or a DNS name (a leading \"*.\" allowed); found {InputQuote.Quote(value)}{ScalarFormats.NotAnAddressHint(value)}");
                ok = false;
            }
        }

        return ok ? items.Select(i => i.Value).ToArray() : null;
    }

    private static CertificatesSpec? ReadCertificates(MappingReader spec)
    {
        if (spec.Get("certificates") is not { } node)
        {
            return new CertificatesSpec { CAValidity = DefaultCAValidity, Validity = DefaultValidity, KeyAlgorithm = KeyAlgorithm.Rsa2048 };
        }

        var map = MappingReader.Open(spec.Context, node, spec.PathOf("certificates"), CertificatesKeys);
        if (map is null)
        {
            return null;
        }

        var ca = Duration(map, "caValidity", DefaultCAValidity);
        var leaf = Duration(map, "validity", DefaultValidity);
        var algorithm = map.OneOf("keyAlgorithm", KeyAlgorithms, "rsa-2048");
        var external = ReadExternalCAs(map);
        if (ca is null || leaf is null || algorithm is null || external is null)
        {
            return null;
        }

        return new CertificatesSpec
        {
            CAValidity = ca.Value,
            Validity = leaf.Value,
            KeyAlgorithm = algorithm == "ecdsa-p256" ? KeyAlgorithm.EcdsaP256 : KeyAlgorithm.Rsa2048,
            ExternalCAs = external,
        };
    }

    // certificates.externalCAs: { ca|etcd-ca|front-proxy-ca: { certFile, keyFile } }, both files required.
    private static Dictionary<string, ExternalCaSpec>? ReadExternalCAs(MappingReader certificates)
    {
        var result = new Dictionary<string, ExternalCaSpec>(StringComparer.Ordinal);
        if (certificates.Get("externalCAs") is not { } node)
        {
            return result;
        }

        var map = MappingReader.Open(certificates.Context, node, certificates.PathOf("externalCAs"), ExternalCaNames);
        if (map is null)
        {
            return null;
        }

        var ok = true;
        foreach (var name in ExternalCaNames)
        {
            if (map.Get(name) is not { } caNode)
            {
                continue;
            }

            var files = MappingReader.Open(map.Context, caNode, map.PathOf(name), ExternalCaKeys);
            var cert = files?.RequiredString("certFile", "the path of the CA certificate (PEM)");
            var key = files?.RequiredString("keyFile", "the path of the CA private key (PEM)");
            if (cert is null || key is null)
            {
                ok = false;
                continue;
            }

            result[name] = new ExternalCaSpec { CertFile = map.Context.ResolvePath(cert), KeyFile = map.Context.ResolvePath(key) };
        }

        return ok ? result : null;
    }

    /// <summary>The longest certificate validity a cluster file may set.</summary>
    private static readonly TimeSpan MaxValidity = TimeSpan.FromDays(36500);

    private static TimeSpan? Duration(MappingReader map, string key, TimeSpan fallback)
    {
        if (map.Get(key) is not { } node)
        {
            return fallback;
        }

        if (map.Scalar(node, map.PathOf(key), ScalarFormats.DurationExpectation) is not { } text)
        {
            return null;
        }

        if (ScalarFormats.Duration(text) is { } value)
        {
            if (value <= MaxValidity)
            {
                return value;
            }

            map.Context.Error(node, map.PathOf(key), $"expected at most 36500d (100 years; a certificate's end must be a date X.509 can hold); found {InputQuote.Quote(text)}");
            return null;
        }

        map.Context.Error(node, map.PathOf(key), $"expected {ScalarFormats.DurationExpectation}; found {InputQuote.Quote(text)}");
        return null;
    }

    /// <summary>"IPv4" or "IPv6", for messages.</summary>
    public static string Family(System.Net.IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6";

    public static string Index(int i) => "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
}
