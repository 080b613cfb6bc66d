using Bootstrap.Core.Config;
using Bootstrap.Core.Etcd;
using Bootstrap.Core.Phases.Etcd;

namespace Bootstrap.Core.Tests.Phases.Etcd;

/// <summary><c>etcd/member</c>'s order of turns in a roll: the member etcd names its leader goes last.</summary>
public sealed class EtcdMemberPhaseTests
{
    private static readonly ClusterConfig Lab = LabCluster.Load();

    [Theory]
    [InlineData(1UL, "cp1")]
    [InlineData(2UL, "cp2")]
    [InlineData(3UL, "cp3")]
    public void Only_the_host_of_the_leading_member_leads(ulong leader, string leaderHost)
    {
        var observation = Observation(leader);

        Assert.Equal([leaderHost], Lab.EtcdMembers.Where(h => EtcdMemberPhase.LeadsNow(observation, h)).Select(h => h.Name));
    }

    [Fact]
    public void Without_a_known_leader_or_a_reading_of_etcd_no_host_leads()
    {
        Assert.DoesNotContain(Lab.EtcdMembers, h => EtcdMemberPhase.LeadsNow(Observation(0), h));
        Assert.DoesNotContain(Lab.EtcdMembers, h => EtcdMemberPhase.LeadsNow(new EtcdObservation { Hosts = [] }, h));
    }

    [Fact]
    public void A_leader_on_a_host_outside_the_file_makes_no_file_host_lead()
    {
        var members = Members().Append(new EtcdMember(9, "old", ["https://192.168.56.99:2380"], ["https://192.168.56.99:2379"], false)).ToList();
        var observation = new EtcdObservation { Hosts = [], Cluster = new EtcdClusterView(members, members.Select(m => m.Id).ToHashSet(), 9) };

        Assert.DoesNotContain(Lab.EtcdMembers, h => EtcdMemberPhase.LeadsNow(observation, h));
    }

    private static EtcdObservation Observation(ulong leader)
    {
        var members = Members();
        return new EtcdObservation { Hosts = [], Cluster = new EtcdClusterView(members, members.Select(m => m.Id).ToHashSet(), leader) };
    }

    private static List<EtcdMember> Members() =>
    [
        .. Lab.EtcdMembers.Select((h, i) => new EtcdMember((ulong)i + 1, h.Name, [EtcdClient.PeerUrl(h)], [$"https://{h.Address}:2379"], false)),
    ];
}
