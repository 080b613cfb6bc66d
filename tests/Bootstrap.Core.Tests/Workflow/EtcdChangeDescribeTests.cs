using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Workflow;

public sealed class EtcdChangeDescribeTests
{
    [Theory]
    [InlineData(ChangeKind.EtcdMemberAdd, "etcd member spare (https://192.168.56.41:2380)", null, "learner", "would add etcd member spare (https://192.168.56.41:2380) as a learner", "added etcd member spare (https://192.168.56.41:2380) as a learner")]
    [InlineData(ChangeKind.EtcdMemberPromote, "etcd member spare", "learner", "voting member", "would promote etcd member spare to a voting member", "promoted etcd member spare to a voting member")]
    [InlineData(ChangeKind.EtcdMemberRemove, "etcd member spare (8e9e05c52164694d)", "voting member", null, "would remove etcd member spare (8e9e05c52164694d)", "removed etcd member spare (8e9e05c52164694d)")]
    [InlineData(ChangeKind.EtcdLeaderMove, "spare", "8e9e05c52164694d", "cp1", "would move etcd leadership from spare to cp1", "moved etcd leadership from spare to cp1")]
    public void Etcd_changes_read_as_what_they_do(ChangeKind kind, string target, string? from, string? to, string planned, string done)
    {
        var change = new Change { Host = "spare", Kind = kind, Target = target, From = from, To = to };

        Assert.Equal(planned, change.Describe(dryRun: true));
        Assert.Equal(done, change.Describe(dryRun: false));
    }

    [Fact]
    public void Etcd_kinds_have_kebab_case_json_names() =>
        Assert.Equal(
            ["etcd-member-add", "etcd-member-promote", "etcd-member-remove", "etcd-leader-move"],
            new[] { ChangeKind.EtcdMemberAdd, ChangeKind.EtcdMemberPromote, ChangeKind.EtcdMemberRemove, ChangeKind.EtcdLeaderMove }
                .Select(k => new Change { Host = "h", Kind = k, Target = "t" }.KindName));
}
