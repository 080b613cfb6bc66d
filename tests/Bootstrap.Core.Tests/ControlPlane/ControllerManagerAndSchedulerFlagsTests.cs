using Bootstrap.Core.ControlPlane;
using static Bootstrap.Core.Tests.ControlPlane.FlagAssert;

namespace Bootstrap.Core.Tests.ControlPlane;

/// <summary>
/// kube-controller-manager and kube-scheduler flags against kubeadm v1.20.2's getControllerManagerCommand
/// and getSchedulerCommand (phases/controlplane/manifests.go).
/// </summary>
public sealed class ControllerManagerAndSchedulerFlagsTests
{
    [Theory]
    [InlineData("allocate-node-cidrs", "true")]
    [InlineData("authentication-kubeconfig", "/etc/kubernetes/controller-manager.conf")]
    [InlineData("authorization-kubeconfig", "/etc/kubernetes/controller-manager.conf")]
    [InlineData("bind-address", "127.0.0.1")]
    [InlineData("client-ca-file", "/etc/kubernetes/pki/ca.crt")]
    [InlineData("cluster-cidr", "10.244.0.0/16")]
    [InlineData("cluster-name", "lab")]
    [InlineData("cluster-signing-cert-file", "/etc/kubernetes/pki/ca.crt")]
    [InlineData("cluster-signing-key-file", "/etc/kubernetes/pki/ca.key")]
    [InlineData("controllers", "*,bootstrapsigner,tokencleaner")]
    [InlineData("kubeconfig", "/etc/kubernetes/controller-manager.conf")]
    [InlineData("leader-elect", "true")]
    [InlineData("port", "0")]
    [InlineData("requestheader-client-ca-file", "/etc/kubernetes/pki/front-proxy-ca.crt")]
    [InlineData("root-ca-file", "/etc/kubernetes/pki/ca.crt")]
    [InlineData("service-account-private-key-file", "/etc/kubernetes/pki/sa.key")]
    [InlineData("service-cluster-ip-range", "10.96.0.0/12")]
    [InlineData("use-service-account-credentials", "true")]
    [InlineData("profiling", "false")]
    public void Controller_manager_v1_20_has_kubeadms_flag_with_its_value(string flag, string expected) =>
        Assert.Equal(expected, Value(ControllerManagerFlags.Build(LabCluster.Load()), flag));

    [Fact]
    public void Controller_manager_flags_are_sorted_and_complete()
    {
        var flags = ControllerManagerFlags.Build(LabCluster.Load());

        SortedByName(flags);
        Assert.Equal(19, flags.Count);
    }

    [Theory]
    [InlineData("authentication-kubeconfig", "/etc/kubernetes/scheduler.conf")]
    [InlineData("authorization-kubeconfig", "/etc/kubernetes/scheduler.conf")]
    [InlineData("bind-address", "127.0.0.1")]
    [InlineData("kubeconfig", "/etc/kubernetes/scheduler.conf")]
    [InlineData("leader-elect", "true")]
    [InlineData("port", "0")]
    [InlineData("profiling", "false")]
    public void Scheduler_v1_20_has_kubeadms_flag_with_its_value(string flag, string expected) =>
        Assert.Equal(expected, Value(SchedulerFlags.Build(LabCluster.Load()), flag));

    [Fact]
    public void Scheduler_flags_are_exactly_kubeadms_plus_profiling_sorted() =>
        Assert.Equal(
            [
                "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
                "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
                "--bind-address=127.0.0.1",
                "--kubeconfig=/etc/kubernetes/scheduler.conf",
                "--leader-elect=true",
                "--port=0",
                "--profiling=false",
            ],
            SchedulerFlags.Build(LabCluster.Load()));
}
