using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Etcd;
using Bootstrap.Core.Rendering;
using static Bootstrap.Core.Tests.ControlPlane.FlagAssert;

namespace Bootstrap.Core.Tests.ControlPlane;

/// <summary>
/// The initial-cluster flags: written once when a member is bootstrapped, read back from its unit and kept, so that a
/// membership change never rewrites (and restarts) the members already running.
/// </summary>
public sealed class EtcdInitialClusterTests
{
    private static readonly Bootstrap.Core.Config.ClusterConfig Config = LabCluster.Load();

    [Fact]
    public void A_new_clusters_flags_name_every_member_of_the_file()
    {
        var initial = EtcdInitialCluster.New(Config);

        Assert.Equal("cp1=https://192.168.56.21:2380,cp2=https://192.168.56.22:2380,cp3=https://192.168.56.23:2380", initial.Members);
        Assert.Equal((EtcdClusterState.New, "etcd-lab"), (initial.State, initial.Token));
    }

    [Fact]
    public void A_joining_members_flags_say_existing_and_list_the_members_it_joins()
    {
        var flags = EtcdFlags.Build(Config, Config.Host("cp2"), EtcdInitialCluster.Joining(Config, [("cp1", "https://192.168.56.21:2380"), ("cp2", "https://192.168.56.22:2380")]));

        Assert.Equal("existing", Value(flags, "initial-cluster-state"));
        Assert.Equal("cp1=https://192.168.56.21:2380,cp2=https://192.168.56.22:2380", Value(flags, "initial-cluster"));
        Assert.Equal("etcd-lab", Value(flags, "initial-cluster-token"));
    }

    [Fact]
    public void The_flags_read_back_from_a_rendered_unit_are_the_ones_it_was_rendered_with()
    {
        var units = new ControlPlaneUnits(new TemplateRenderer());
        var joining = EtcdInitialCluster.Joining(Config, [("cp2", "https://192.168.56.22:2380"), ("spare", "https://192.168.56.41:2380")]);

        Assert.Equal(EtcdInitialCluster.New(Config), EtcdInitialCluster.FromUnit(units.Etcd(Config, Config.Host("cp1"), EtcdInitialCluster.New(Config))));
        Assert.Equal(joining, EtcdInitialCluster.FromUnit(units.Etcd(Config, Config.Host("cp2"), joining)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[Service]\nExecStart=/usr/local/bin/etcd \\\n  --initial-cluster=a=https://x:2380 \\\n  --initial-cluster-state=new\n")]
    [InlineData("ExecStart=/usr/local/bin/etcd \\\n  --initial-cluster=a=https://x:2380 \\\n  --initial-cluster-state=sideways \\\n  --initial-cluster-token=t\n")]
    [InlineData("ExecStart=/usr/local/bin/etcd \\\n  \"--initial-cluster=a=https://x:2380 b\" \\\n  --initial-cluster-state=new \\\n  --initial-cluster-token=t\n")]
    public void A_unit_without_all_three_flags_as_Bootstrap_writes_them_gives_none(string unit) =>
        Assert.Null(EtcdInitialCluster.FromUnit(unit));

    [Fact]
    public void Without_data_anywhere_every_member_is_rendered_as_part_of_a_new_cluster_even_over_an_old_unit()
    {
        var old = EtcdInitialCluster.Joining(Config, [("cp1", "https://192.168.56.21:2380")]);
        var observation = Observation([Facts("cp1", false, old), Facts("cp2", false), Facts("cp3", false)], cluster: null);

        Assert.Equal(EtcdInitialCluster.New(Config), observation.InitialClusterFor(Config, Config.Host("cp1"), observation.Decide()));
    }

    [Fact]
    public void A_running_member_keeps_the_flags_its_unit_has_when_membership_changes()
    {
        // cp1 was bootstrapped with a list of two; spare is being added now.
        var spareConfig = WithSpare();
        var original = EtcdInitialCluster.Joining(spareConfig, [("cp1", "https://192.168.56.21:2380"), ("old", "https://192.168.56.99:2380")]) with { State = EtcdClusterState.New };
        var observation = Observation(
            [Facts("cp1", true, original), Facts("cp2", true, EtcdInitialCluster.New(Config)), Facts("cp3", true, EtcdInitialCluster.New(Config)), Facts("spare", false)],
            Members(("cp1", 1), ("cp2", 2), ("cp3", 3)));
        var decision = observation.Decide();

        Assert.Equal(EtcdMembershipAction.Add, decision.Action);
        Assert.Equal(original, observation.InitialClusterFor(spareConfig, spareConfig.Host("cp1"), decision));
    }

    [Fact]
    public void A_joining_member_starts_existing_with_the_members_after_the_change_itself_included()
    {
        var spareConfig = WithSpare();
        var planned = Observation(
            [Facts("cp1", true, EtcdInitialCluster.New(Config)), Facts("cp2", true, EtcdInitialCluster.New(Config)), Facts("cp3", true, EtcdInitialCluster.New(Config)), Facts("spare", false)],
            Members(("cp1", 1), ("cp2", 2), ("cp3", 3)));

        // After etcd/membership added it: a learner without a name yet.
        var added = planned with
        {
            Cluster = planned.Cluster! with
            {
                Members = [.. planned.Cluster.Members, new EtcdMember(4, string.Empty, ["https://192.168.56.41:2380"], [], IsLearner: true)],
            },
        };

        var expected = EtcdInitialCluster.Joining(spareConfig, [
            ("cp1", "https://192.168.56.21:2380"), ("cp2", "https://192.168.56.22:2380"), ("cp3", "https://192.168.56.23:2380"), ("spare", "https://192.168.56.41:2380")]);
        Assert.Equal(expected, planned.InitialClusterFor(spareConfig, spareConfig.Host("spare"), planned.Decide()));
        Assert.Equal(EtcdMembershipAction.Promote, added.Decide().Action);
        Assert.Equal(expected, added.InitialClusterFor(spareConfig, spareConfig.Host("spare"), added.Decide()));
    }

    [Fact]
    public void A_replaced_member_starts_existing_without_its_old_member()
    {
        var observation = Observation(
            [Facts("cp1", true, EtcdInitialCluster.New(Config)), Facts("cp2", true, EtcdInitialCluster.New(Config)), Facts("cp3", false, EtcdInitialCluster.New(Config))],
            Members(("cp1", 1), ("cp2", 2), ("cp3", 3)) with { Healthy = new HashSet<ulong> { 1, 2 } });
        var decision = observation.Decide();

        Assert.Equal(EtcdMembershipAction.Replace, decision.Action);
        Assert.Equal(
            EtcdInitialCluster.Joining(Config, [("cp1", "https://192.168.56.21:2380"), ("cp2", "https://192.168.56.22:2380"), ("cp3", "https://192.168.56.23:2380")]),
            observation.InitialClusterFor(Config, Config.Host("cp3"), decision));
        Assert.Equal(EtcdInitialCluster.New(Config), observation.InitialClusterFor(Config, Config.Host("cp1"), decision));
    }

    private static Bootstrap.Core.Config.ClusterConfig WithSpare()
    {
        var cp3 = Config.Host("cp3");
        var spare = cp3 with { Name = "spare", Address = System.Net.IPAddress.Parse("192.168.56.41") };
        return Config with { Hosts = [.. Config.Hosts, spare] };
    }

    private static EtcdHostFacts Facts(string name, bool data, EtcdInitialCluster? unit = null) =>
        new(name, $"https://{Address(name)}:2380", data, unit);

    private static EtcdObservation Observation(IReadOnlyList<EtcdHostFacts> hosts, EtcdClusterView? cluster) =>
        new() { Hosts = hosts, Cluster = cluster, Coordinator = cluster is null ? null : "cp1" };

    private static EtcdClusterView Members(params (string Name, ulong Id)[] members) => new(
        [.. members.Select(m => new EtcdMember(m.Id, m.Name, [$"https://{Address(m.Name)}:2380"], [$"https://{Address(m.Name)}:2379"], false))],
        members.Select(m => m.Id).ToHashSet(),
        members[0].Id);

    private static string Address(string name) => name == "spare" ? "192.168.56.41" : Config.Host(name).Address.ToString();
}
