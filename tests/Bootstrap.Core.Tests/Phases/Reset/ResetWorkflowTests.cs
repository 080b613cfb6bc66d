using Bootstrap.Core.Phases.Reset;

namespace Bootstrap.Core.Tests.Phases.Reset;

public sealed class ResetWorkflowTests
{
    [Fact]
    public void The_etcd_quorum_check_comes_before_any_phase_that_changes_the_cluster()
    {
        var phases = ResetWorkflow.Create(new ResetOptions()).Walk().Select(p => p.Path).ToList();

        Assert.Equal(["etcd-check", "drain", "remove-node", "etcd-member", "stop", "remove-files"], phases);
    }

    [Fact]
    public void Reset_all_neither_checks_nor_removes_members_it_tears_etcd_down_whole()
    {
        var phases = ResetWorkflow.Create(new ResetOptions { All = true }).Walk().Select(p => p.Path).ToList();

        Assert.Equal(["drain", "remove-node", "stop", "remove-files"], phases);
    }
}
