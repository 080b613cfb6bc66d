using System.Net;
using System.Text.Json;
using Bootstrap.Core.Config;

namespace Bootstrap.Core.Tests.Config;

public sealed class ClusterConfigLoaderTests
{
    private const string Home = "/home/tester";
    private const string BaseDirectory = "/work/clusters";

    private const string Minimal = """
        apiVersion: bootstrap.dev/v1alpha1
        kind: Cluster
        metadata:
          name: mini
        spec:
          kubernetesVersion: v1.20.2
          networking:
            hostSubnet: 10.0.0.0/24
            podSubnet: 10.244.0.0/16
            serviceSubnet: 10.96.0.0/12
          loadBalancer:
            type: haproxy-keepalived
            virtualIP: 10.0.0.10
          artifacts:
            directory: artifacts
          hosts:
            - name: lb1
              address: 10.0.0.11
              roles: [loadbalancer]
            - name: cp1
              address: 10.0.0.21
              roles: [control-plane]
        """;

    private static ClusterConfigLoadResult Load(string yaml) => ClusterConfigLoader.Load(yaml, "cluster.yaml", BaseDirectory, Home);

    private static ClusterConfig LoadValid(string yaml)
    {
        var result = Load(yaml);
        Assert.Empty(result.Errors);
        return Assert.IsType<ClusterConfig>(result.Config);
    }

    [Fact]
    public void Omitted_fields_take_their_documented_defaults()
    {
        var config = LoadValid(Minimal);

        Assert.Equal("10.0.0.10", config.ControlPlaneEndpoint.Host);
        Assert.Equal(6443, config.ControlPlaneEndpoint.Port);
        Assert.Equal("cluster.local", config.Networking.DnsDomain);
        Assert.Equal(51, config.LoadBalancer.VirtualRouterId);
        Assert.Null(config.LoadBalancer.Interface);
        Assert.Equal(EtcdTopology.Stacked, config.Etcd.Topology);
        Assert.Null(config.Etcd.Backup);
        Assert.Equal("root", config.Ssh.User);
        Assert.Equal(22, config.Ssh.Port);
        Assert.Null(config.Ssh.IdentityFile);
        Assert.Null(config.Ssh.Password);
        Assert.Equal(HostKeyPolicy.Strict, config.Ssh.HostKeyPolicy);
        Assert.Equal(TimeSpan.FromSeconds(10), config.Ssh.ConnectTimeout);
        Assert.Equal(10, config.SshConcurrency);
        Assert.Equal("/home/tester/.bootstrap/mini", config.StateDirectory);
        Assert.Equal("/home/tester/.bootstrap/mini/known_hosts", config.Ssh.KnownHostsFile);
        Assert.Equal(TimeSpan.FromHours(87600), config.Certificates.CAValidity);
        Assert.Equal(TimeSpan.FromHours(8760), config.Certificates.Validity);
        Assert.Equal(KeyAlgorithm.Rsa2048, config.Certificates.KeyAlgorithm);
        Assert.Empty(config.ApiServer.CertSANs);
        Assert.Null(config.Kubelet.ConfigPatch);
        Assert.True(config.ControlPlane.RunKubelet);
        Assert.Equal(KubeProxyMode.Iptables, config.KubeProxy.Mode);
        Assert.Equal("/work/clusters/artifacts", config.Artifacts.Directory);
    }

    [Fact]
    public void Even_etcd_member_count_is_a_warning_and_the_file_still_loads()
    {
        var yaml = Minimal + """

                - name: cp2
                  address: 10.0.0.22
                  roles: [control-plane]
            """;

        var result = Load(yaml);

        Assert.NotNull(result.Config);
        Assert.Empty(result.Errors);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(
            "cluster.yaml:17:5: warning: spec.hosts: etcd would have 2 members, which tolerate 0 failures (a quorum is 2 members), the same as 1 member; an odd count such as 3 is recommended",
            warning.ToString());
    }

    [Fact]
    public void An_empty_etcd_backup_takes_every_default()
    {
        var config = LoadValid(Minimal.Replace("  artifacts:", "  etcd:\n    backup: {}\n  artifacts:", StringComparison.Ordinal));

        Assert.Equal(new EtcdBackupSpec { Schedule = "daily", Keep = 7, Directory = "/var/lib/etcd-backup" }, config.Etcd.Backup);
    }

    [Fact]
    public void Full_featured_file_loads_every_optional_field()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Config", "Valid", "full-featured.yaml");
        var result = ClusterFiles.LoadText(path, Home);
        Assert.Empty(result.Errors);
        Assert.Equal("spec.hosts[3].roles", Assert.Single(result.Warnings).Path);
        Assert.Contains("cp1 is the only control-plane host", result.Warnings[0].Message, StringComparison.Ordinal);
        var config = result.Config!;
        var directory = Path.GetDirectoryName(path)!;

        Assert.Equal("prod-eu1", config.Name);
        Assert.Equal(new KubernetesVersion(1, 21, 14), config.KubernetesVersion);
        Assert.Equal(new Uri("https://api.prod.example.com:8443"), config.ControlPlaneEndpoint.Url);
        Assert.Null(config.ControlPlaneEndpoint.Address);
        Assert.Equal(LoadBalancerType.External, config.LoadBalancer.Type);
        Assert.Null(config.LoadBalancer.VirtualIP);
        Assert.Equal("prod.local", config.Networking.DnsDomain);
        Assert.Equal(EtcdTopology.Dedicated, config.Etcd.Topology);
        Assert.Equal(["etcd1", "etcd2", "etcd3"], config.EtcdMembers.Select(h => h.Name));
        Assert.Equal(new EtcdBackupSpec { Schedule = "*-*-* 02:30:00", Keep = 14, Directory = "/srv/etcd-backup" }, config.Etcd.Backup);
        Assert.Equal(["cp1", "w1"], config.WorkerHosts.Select(h => h.Name));
        Assert.Equal(new Uri("https://mirror.example.com/k8s/v1.21.14/"), config.Artifacts.BaseUrl);
        Assert.Null(config.Artifacts.Directory);
        Assert.Equal(8, config.Artifacts.Sha256.Count);
        Assert.Equal("abcdef0000000000000000000000000000000000000000000000000000000008", config.Artifacts.Sha256["kubelet"]);
        Assert.Equal(["203.0.113.7", "*.prod.example.com"], config.ApiServer.CertSANs);
        Assert.Equal(TimeSpan.FromDays(3650), config.Certificates.CAValidity);
        Assert.Equal(TimeSpan.FromDays(90), config.Certificates.Validity);
        Assert.Equal(KeyAlgorithm.EcdsaP256, config.Certificates.KeyAlgorithm);
        Assert.False(config.ControlPlane.RunKubelet);
        Assert.Equal(KubeProxyMode.Ipvs, config.KubeProxy.Mode);
        Assert.Equal(Path.Combine(directory, "state", "prod-eu1"), config.StateDirectory);
        Assert.Equal(Path.Combine(directory, "state", "prod-eu1", "known_hosts"), config.Ssh.KnownHostsFile);
    }

    [Fact]
    public void Host_ssh_overrides_replace_only_the_fields_they_set()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Config", "Valid", "full-featured.yaml");
        var config = ClusterFiles.LoadText(path, Home).Config!;
        var defaults = config.Ssh;
        var cp1 = config.Hosts.Single(h => h.Name == "cp1");
        var etcd1 = config.Hosts.Single(h => h.Name == "etcd1");

        Assert.Equal("admin", defaults.User);
        Assert.Equal(2222, defaults.Port);
        Assert.Equal("/home/tester/.ssh/prod", defaults.IdentityFile);
        Assert.Equal(new SecretReference(SecretReferenceKind.Environment, "PROD_SSH_PASSWORD"), defaults.Password);
        Assert.Equal(TimeSpan.FromSeconds(90), defaults.ConnectTimeout);
        Assert.Equal("bastion.prod.example.com", defaults.Bastion!.Address);
        Assert.Equal(22, defaults.Bastion.Port);
        Assert.Equal("jump", defaults.Bastion.User);
        Assert.Equal(SecretReferenceKind.Prompt, defaults.Bastion.Password!.Kind);
        Assert.Equal(["SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"], defaults.Bastion.HostKeyFingerprints);

        Assert.Same(defaults, etcd1.Ssh);
        Assert.Equal("core", cp1.Ssh.User);
        Assert.Equal(22, cp1.Ssh.Port);
        Assert.Equal(
            new SecretReference(SecretReferenceKind.File, Path.Combine(Path.GetDirectoryName(path)!, "secrets", "cp1-password")),
            cp1.Ssh.Password);
        Assert.Equal(["SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"], cp1.Ssh.HostKeyFingerprints);
        Assert.Equal(defaults.IdentityFile, cp1.Ssh.IdentityFile);
        Assert.Same(defaults.Bastion, cp1.Ssh.Bastion);
        Assert.Equal(defaults.ConnectTimeout, cp1.Ssh.ConnectTimeout);

        Assert.Equal(TimeSpan.FromMinutes(10), defaults.CommandTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), defaults.TransferStallTimeout);
        Assert.Equal(new SecretReference(SecretReferenceKind.Environment, "PROD_KEY_PASSPHRASE"), defaults.IdentityPassphrase);
        Assert.False(defaults.Agent);
        Assert.Equal(TimeSpan.FromMinutes(10), cp1.Ssh.CommandTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), cp1.Ssh.TransferStallTimeout);
        Assert.Equal(defaults.IdentityPassphrase, cp1.Ssh.IdentityPassphrase);
        Assert.False(cp1.Ssh.Agent);
    }

    [Fact]
    public void Ssh_limits_default_to_5m_per_command_and_60s_without_transfer_progress_and_agent_follows_the_environment()
    {
        var config = LoadValid(Minimal);

        Assert.Equal(TimeSpan.FromMinutes(5), config.Ssh.CommandTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), config.Ssh.TransferStallTimeout);
        Assert.Null(config.Ssh.Agent);
        Assert.Null(config.Ssh.IdentityPassphrase);
    }

    [Fact]
    public void A_hosts_own_identity_file_does_not_inherit_the_default_keys_passphrase()
    {
        var yaml = Minimal.Replace("""
              artifacts:
                directory: artifacts
            """, """
              artifacts:
                directory: artifacts
              ssh:
                identityFile: keys/default
                identityPassphrase: env:DEFAULT_PASSPHRASE
            """, StringComparison.Ordinal).Replace("""
                  roles: [control-plane]
            """, """
                  roles: [control-plane]
                  ssh:
                    identityFile: keys/cp1
            """, StringComparison.Ordinal);

        var config = LoadValid(yaml);

        Assert.Equal("DEFAULT_PASSPHRASE", config.Hosts.Single(h => h.Name == "lb1").Ssh.IdentityPassphrase!.Target);
        Assert.Null(config.Hosts.Single(h => h.Name == "cp1").Ssh.IdentityPassphrase);
    }

    [Fact]
    public void Kubelet_patch_keeps_yaml_scalar_types_as_json()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Config", "Valid", "full-featured.yaml");
        var patch = ClusterFiles.LoadText(path, Home).Config!.Kubelet.ConfigPatch!.Value;

        Assert.Equal(JsonValueKind.Object, patch.ValueKind);
        Assert.Equal(200, patch.GetProperty("maxPods").GetInt32());
        Assert.Equal(JsonValueKind.False, patch.GetProperty("serializeImagePulls").ValueKind);
        Assert.Equal("static", patch.GetProperty("cpuManagerPolicy").GetString());
        Assert.Equal("200Mi", patch.GetProperty("evictionHard").GetProperty("memory.available").GetString());
        Assert.Equal(JsonValueKind.True, patch.GetProperty("featureGates").GetProperty("RotateKubeletServerCertificate").ValueKind);
        Assert.Equal(JsonValueKind.String, patch.GetProperty("podPidsLimit").ValueKind);
        Assert.Equal(JsonValueKind.Null, patch.GetProperty("systemReserved").ValueKind);
    }

    [Fact]
    public void IPv6_host_subnet_and_virtual_ip_are_accepted()
    {
        var yaml = Minimal
            .Replace("10.0.0.0/24", "fd00:56::/64", StringComparison.Ordinal)
            .Replace("10.0.0.10", "fd00:56::10", StringComparison.Ordinal)
            .Replace("10.0.0.11", "fd00:56::11", StringComparison.Ordinal)
            .Replace("10.0.0.21", "fd00:56::21", StringComparison.Ordinal);

        var config = LoadValid(yaml);

        Assert.Equal(IPAddress.Parse("fd00:56::10"), config.LoadBalancer.VirtualIP);
        Assert.Equal(new Uri("https://[fd00:56::10]:6443"), config.ControlPlaneEndpoint.Url);
        Assert.Equal(IPAddress.Parse("fd00:56::21"), config.ControlPlaneHosts.Single().Address);
    }

    [Fact]
    public void Missing_file_is_one_error_without_position()
    {
        var result = ClusterConfigLoader.LoadFile("/nonexistent/cluster.yaml", Home);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("/nonexistent/cluster.yaml: cannot read the cluster file: no such file", error.ToString());
        Assert.Null(result.Config);
    }

    [Fact]
    public void Every_truncation_and_every_single_line_deletion_of_the_lab_file_is_reported_without_throwing()
    {
        var lab = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Examples", "lab-cluster.yaml"));
        var lines = lab.Split('\n');
        var variants = Enumerable.Range(0, lab.Length).Select(n => lab[..n])
            .Concat(Enumerable.Range(0, lines.Length).Select(i => string.Join('\n', lines.Where((_, j) => j != i))));

        foreach (var variant in variants)
        {
            var result = Load(variant);

            Assert.True(result.Config is not null || result.Errors.Count > 0);
            Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
        }
    }

    [Fact]
    public void A_file_that_never_ends_is_too_large_and_is_not_read_whole()
    {
        // /dev/zero says it is 0 bytes long: reading it whole ran out of memory (an internal error).
        var result = ClusterConfigLoader.LoadFile("/dev/zero", Home);

        Assert.Equal($"/dev/zero: the file is larger than {ClusterConfigLoader.MaxFileBytes} bytes; expected a cluster file", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void An_empty_path_is_said_to_be_empty_not_with_the_runtimes_message()
    {
        var result = ClusterConfigLoader.LoadFile(string.Empty, Home);

        Assert.Equal("\"\": cannot read the cluster file: the path is empty; give a cluster file, or - for standard input", Assert.Single(result.Diagnostics).ToString());
    }

    [Theory]
    [InlineData("ssh-key")]
    [InlineData("encryption-keys")]
    [InlineData("token")]
    public void A_file_of_plain_text_given_as_the_cluster_file_is_never_repeated_in_the_error(string kind)
    {
        // The wrong file after -f (a private key, the state's encryption keys, a token file) was quoted back: 48 characters of
        // a private key, or the whole encryption key, on standard error.
        using var directory = new Pki.TemporaryDirectory();
        var path = Path.Combine(directory.Path, "file");
        switch (kind)
        {
            case "ssh-key":
                TestKeys.Write(path);
                break;
            case "encryption-keys":
                File.WriteAllText(path, "key1 " + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) + "\n");
                break;
            default:
                File.WriteAllText(path, "abcdef.0123456789abcdef\n");
                break;
        }

        var secret = File.ReadAllText(path).Split([' ', '\n', '-'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length >= 16).ToList();
        var result = ClusterConfigLoader.LoadFile(path, Home);

        var error = Assert.Single(result.Errors);
        Assert.Matches(@"/file:1:1: expected a mapping with fields apiVersion, kind, metadata, spec; found plain text \(\d+ characters, not shown: is it the cluster file\?\)$", error.ToString());
        Assert.NotEmpty(secret);
        Assert.All(secret, s => Assert.DoesNotContain(s[..16], error.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_of_name_value_lines_given_as_the_cluster_file_never_shows_its_keys()
    {
        // -f /etc/shadow: each line ends in ':', so YAML reads "root:$y$…:7::" as a key; the unknown-field error quoted it,
        // password hash and all, in the message and again in the field's path.
        using var directory = new Pki.TemporaryDirectory();
        var path = Path.Combine(directory.Path, "shadow");
        const string Hash = "$y$j9T$Q2xvc2VkU2VjcmV0SGFzaA$AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg";
        File.WriteAllText(path, "root:" + Hash + ":19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n");

        var result = ClusterConfigLoader.LoadFile(path, Home);

        var text = string.Join("\n", result.Diagnostics.Select(d => d.ToString()));
        Assert.DoesNotContain("j9T", text, StringComparison.Ordinal);
        Assert.DoesNotContain("daemon", text, StringComparison.Ordinal);
        Assert.Contains("/shadow:1:1: unknown field: a key of " + ("root:" + Hash + ":19000:0:99999:7::").Length
            + " characters that is not a field name (not shown: is it the cluster file?) (allowed: apiVersion, kind, metadata, spec)", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apiVerison", true)]
    [InlineData("spec hosts", true)]
    [InlineData("node-role.kubernetes.io_x", true)]
    [InlineData("root:$y$j9T$abc", false)]
    [InlineData("key1:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", false)]
    [InlineData("aGVsbG8+d29ybGQ=", false)]
    [InlineData("", true)]
    public void Only_a_key_shaped_like_a_field_name_is_quoted_back(string key, bool quoted)
    {
        var result = Load(Minimal + "\n\"" + key + "\": 1\n");

        var error = Assert.Single(result.Errors).ToString();
        Assert.Equal(quoted, error.Contains('"' + key + '"', StringComparison.Ordinal));
        Assert.Equal(!quoted, error.Contains("that is not a field name (not shown", StringComparison.Ordinal));
    }

    [Fact]
    public void A_directory_is_not_a_cluster_file()
    {
        var result = ClusterConfigLoader.LoadFile(AppContext.BaseDirectory, Home);

        Assert.Equal(AppContext.BaseDirectory + ": is a directory; expected a cluster file", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void Errors_in_different_sections_are_all_reported_in_file_order()
    {
        var yaml = Minimal
            .Replace("v1.20.2", "latest", StringComparison.Ordinal)
            .Replace("10.96.0.0/12", "10.96.0.0", StringComparison.Ordinal)
            .Replace("roles: [loadbalancer]", "roles: [load-balancer]", StringComparison.Ordinal);

        var result = Load(yaml);

        Assert.Equal(
            [
                "cluster.yaml:6:22: spec.kubernetesVersion: expected a Kubernetes release such as v1.20.2; found \"latest\"",
                "cluster.yaml:10:20: spec.networking.serviceSubnet: expected a CIDR such as 10.244.0.0/16; found \"10.96.0.0\"",
                "cluster.yaml:19:15: spec.hosts[0].roles[0]: unknown role \"load-balancer\"; did you mean \"loadbalancer\"? (allowed: control-plane, etcd, worker, loadbalancer)",
            ],
            result.Errors.Select(e => e.ToString()));
    }
}
