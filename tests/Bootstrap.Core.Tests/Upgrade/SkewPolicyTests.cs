using Bootstrap.Core.Config;
using Bootstrap.Core.Config.Parsing;
using Bootstrap.Core.Upgrade;

namespace Bootstrap.Core.Tests.Upgrade;

public sealed class SkewPolicyTests
{
    private static KubernetesVersion V(string text) => ScalarFormats.Version(text)!;

    private static InstalledVersion Bin(string host, string component, string current, string? target, bool changes = true) =>
        new(host, component, V(current), "old", target is null ? null : V(target), changes ? "new" : "old");

    private static IReadOnlyList<string> Check(IReadOnlyList<InstalledVersion> installed, string target, string? etcd = null, bool allowDowngrade = false, Dictionary<string, KubernetesVersion>? kubelets = null) =>
        SkewPolicy.Violations(installed, kubelets ?? [], V(target), etcd is null ? null : V(etcd), allowDowngrade);

    [Fact]
    public void A_patch_upgrade_of_everything_and_a_minor_etcd_upgrade_are_allowed()
    {
        var installed = new[] { Bin("cp1", "kube-apiserver", "v1.20.2", "v1.20.3-lab.0"), Bin("cp1", "etcd", "v3.4.23", "v3.5.16"), Bin("w1", "kubelet", "v1.20.2", "v1.20.3-lab.0") };

        Assert.Empty(Check(installed, "v1.20.3-lab.0", "v3.5.16", kubelets: new() { ["w1"] = V("v1.20.2") }));
    }

    [Fact]
    public void The_control_plane_goes_one_minor_at_a_time()
    {
        var problem = Assert.Single(Check([Bin("cp1", "kube-apiserver", "v1.20.2", "v1.22.0")], "v1.22.0"));

        Assert.Contains("one minor version at a time", problem, StringComparison.Ordinal);
        Assert.Contains("v1.21.x before v1.22.0", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rollback_within_a_minor_needs_allow_downgrade_and_a_minor_back_is_refused_whatever()
    {
        var patch = new[] { Bin("cp1", "kube-apiserver", "v1.20.3-lab.0", "v1.20.2") };

        Assert.Contains("needs --allow-downgrade", Assert.Single(Check(patch, "v1.20.2")), StringComparison.Ordinal);
        Assert.Empty(Check(patch, "v1.20.2", allowDowngrade: true));
        Assert.Contains("a minor version back", Assert.Single(Check([Bin("cp1", "kube-apiserver", "v1.21.0", "v1.20.2")], "v1.20.2", allowDowngrade: true)), StringComparison.Ordinal);
    }

    [Fact]
    public void Etcd_never_goes_a_minor_back_and_says_what_to_do_instead()
    {
        var installed = new[] { Bin("cp1", "kube-apiserver", "v1.20.3-lab.0", "v1.20.2"), Bin("cp1", "etcd", "v3.5.16", "v3.4.23") };

        var problem = Assert.Single(Check(installed, "v1.20.2", "v3.4.23", allowDowngrade: true));

        Assert.Contains("cp1: etcd does not support going from 3.5.16 down to 3.4.23", problem, StringComparison.Ordinal);
        Assert.Contains("restore a snapshot", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kubelet_newer_than_the_oldest_api_server_is_refused_naming_the_node()
    {
        var installed = new[] { Bin("cp1", "kube-apiserver", "v1.20.2", "v1.20.2", changes: false), Bin("cp2", "kube-apiserver", "v1.20.3-lab.0", "v1.20.2") };

        var problems = Check(installed, "v1.20.2", allowDowngrade: true, kubelets: new() { ["w2"] = V("v1.20.3-lab.0"), ["w1"] = V("v1.20.2") });

        Assert.Equal(["w2: its kubelet runs v1.20.3-lab.0, newer than the oldest API server (v1.20.2), which the version-skew policy forbids; bring it in line first"], problems);
    }

    [Fact]
    public void The_target_needs_at_least_the_etcd_kubeadm_pairs_with_it()
    {
        var problem = Assert.Single(Check([Bin("cp1", "kube-apiserver", "v1.21.5", "v1.22.0")], "v1.22.0", "v3.4.23"));

        Assert.Equal("Kubernetes 1.22 needs etcd 3.5.0 or later; spec.etcd.version is 3.4.23", problem);
    }

    [Theory]
    [InlineData("kube-apiserver Kubernetes v1.20.2", "kube-apiserver", "v1.20.2")]
    [InlineData("etcd etcd Version: 3.4.23", "etcd", "v3.4.23")]
    [InlineData("kubectl Client Version: v1.20.3-lab.0", "kubectl", "v1.20.3-lab.0")]
    [InlineData("etcdctl etcdctl version: 3.5.16", "etcdctl", "v3.5.16")]
    public void Versions_are_read_from_what_each_binary_prints(string line, string binary, string version) =>
        Assert.Equal(V(version), VersionProbe.Parse(line + "\n")[binary]);

    [Fact]
    public void A_missing_binary_has_no_version()
    {
        Assert.Null(VersionProbe.Parse("kubelet -\n")["kubelet"]);
    }
}
