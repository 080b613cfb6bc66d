using Bootstrap.Core.Etcd;

namespace Bootstrap.Core.Tests.Etcd;

public sealed class EtcdOutputTests
{
    [Fact]
    public void A_member_list_reads_uint64_ids_names_and_urls_exactly()
    {
        var members = EtcdOutput.MemberList(EtcdSamples.Text("member-list.json"));

        Assert.Equal(["e3", "e2", "e1"], members.Select(m => m.Name));
        var e2 = members[1];
        Assert.Equal(11011949906421398991UL, e2.Id);
        Assert.Equal("98d24e1898a4bdcf", e2.HexId);
        Assert.Equal(["http://127.0.0.1:24802"], e2.PeerUrls);
        Assert.Equal(["http://127.0.0.1:24792"], e2.ClientUrls);
        Assert.All(members, m => Assert.False(m.IsLearner));
        Assert.All(members, m => Assert.True(m.Started));
    }

    [Fact]
    public void A_learner_added_but_not_started_has_no_name_and_no_client_urls()
    {
        var learner = EtcdOutput.MemberList(EtcdSamples.Text("member-list-unstarted-learner.json")).Single(m => m.IsLearner);

        Assert.Equal(string.Empty, learner.Name);
        Assert.Empty(learner.ClientUrls);
        Assert.False(learner.Started);
        Assert.Equal($"member {learner.HexId}", learner.Label);
        Assert.True(learner.HasPeerUrl("http://127.0.0.1:24804"));
    }

    [Fact]
    public void A_started_learner_has_its_name_and_is_still_a_learner()
    {
        var learner = EtcdOutput.MemberList(EtcdSamples.Text("member-list-started-learner.json")).Single(m => m.IsLearner);

        Assert.Equal("e4", learner.Name);
        Assert.True(learner.Started);
    }

    [Fact]
    public void A_member_of_a_new_cluster_that_never_started_has_its_name_but_no_client_urls()
    {
        var e3 = EtcdOutput.MemberList(EtcdSamples.Text("member-list-unstarted-bootstrap.json")).Single(m => m.Name == "e3");

        Assert.False(e3.Started);
        Assert.False(e3.IsLearner);
    }

    [Fact]
    public void Member_add_gives_the_new_learner_with_its_id()
    {
        var added = EtcdOutput.AddedMember(EtcdSamples.Text("member-add-learner.json"));

        Assert.Equal(12567094579259844030UL, added.Id);
        Assert.True(added.IsLearner);
        Assert.Equal(string.Empty, added.Name);
        Assert.Equal(4, EtcdOutput.MemberList(EtcdSamples.Text("member-add-learner.json")).Count);
    }

    [Fact]
    public void Endpoint_status_gives_the_leader_raft_positions_size_and_version_of_each_endpoint()
    {
        var status = EtcdOutput.EndpointStatus(EtcdSamples.Text("endpoint-status.json"));

        Assert.Equal(3, status.Count);
        var leader = Assert.Single(status, s => s.IsLeader);
        Assert.Equal("http://127.0.0.1:24793", leader.Endpoint);
        Assert.All(status, s => Assert.Equal(6065295207444425534UL, s.Leader));
        Assert.All(status, s => Assert.Equal(644713211794272074UL, s.ClusterId));
        Assert.Equal("3.4.23", leader.Version);
        Assert.Equal(20480, leader.DbSize);
        Assert.Equal(16384, leader.DbSizeInUse);
        Assert.Equal(8UL, leader.RaftIndex);
        Assert.Equal(2UL, leader.RaftTerm);
        Assert.Equal(8UL, leader.RaftAppliedIndex);
        Assert.Equal(1, leader.Revision);
        Assert.All(status, s => Assert.False(s.IsLearner));
    }

    [Fact]
    public void Endpoint_status_marks_a_learner_and_leaves_out_an_endpoint_that_did_not_answer()
    {
        Assert.True(EtcdOutput.EndpointStatus(EtcdSamples.Text("endpoint-status-learner.json")).Single(s => s.Endpoint.EndsWith(":24794", StringComparison.Ordinal)).IsLearner);

        // e3 (port 24793) was stopped: etcdctl names it on stderr only and exits 1.
        var oneDown = EtcdOutput.EndpointStatus(EtcdSamples.Text("endpoint-status-one-down.json"));
        Assert.DoesNotContain(oneDown, s => s.Endpoint.EndsWith(":24793", StringComparison.Ordinal));
        Assert.Contains("Failed to get the status of endpoint http://127.0.0.1:24793", EtcdSamples.Text("endpoint-status-one-down.err"), StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoint_health_lists_every_endpoint_with_the_reason_of_an_unhealthy_one()
    {
        Assert.All(EtcdOutput.EndpointHealth(EtcdSamples.Text("endpoint-health.json")), h => Assert.True(h.Healthy));

        var oneDown = EtcdOutput.EndpointHealth(EtcdSamples.Text("endpoint-health-one-down.json"));
        var down = Assert.Single(oneDown, h => !h.Healthy);
        Assert.Equal("http://127.0.0.1:24793", down.Endpoint);
        Assert.Equal("context deadline exceeded", down.Error);
        Assert.Equal(4, oneDown.Count);
    }

    [Fact]
    public void Snapshot_status_gives_hash_revision_keys_and_size()
    {
        Assert.Equal(new EtcdSnapshotStatus(4100506090, 21, 27, 20480), EtcdOutput.SnapshotStatus(EtcdSamples.Text("snapshot-status.json")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Error: context deadline exceeded")]
    [InlineData("{\"members\": 3}")]
    [InlineData("{\"header\":{},\"members\":[{\"name\":\"e1\"}]}")]
    [InlineData("{\"members\":[{\"ID\":-1}]}")]
    [InlineData("[{\"Endpoint\":\"x\"}]")]
    public void Anything_but_etcdctls_json_is_an_error_quoting_what_was_printed(string text)
    {
        var error = Assert.Throws<EtcdException>(() => EtcdOutput.MemberList(text));

        Assert.StartsWith("etcdctl member list printed something else than its JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains(text.Trim(), error.Message, StringComparison.Ordinal);
        Assert.Throws<EtcdException>(() => EtcdOutput.EndpointStatus(text));
    }

    [Fact]
    public void The_reason_of_a_failed_etcdctl_is_its_error_line_not_its_retry_logs()
    {
        var result = new Bootstrap.Core.Remote.CommandResult(1, string.Empty, EtcdSamples.Text("member-promote-unstarted.err"));

        Assert.Equal("etcdserver: can only promote a learner member which is in sync with leader", EtcdClient.Reason(result));
    }
}
