using Bootstrap.Core.Kubernetes;
using k8s.Models;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class DrainPolicyTests
{
    private static V1Pod Pod(string name, string? owner = "ReplicaSet", string? phase = "Running", bool mirror = false) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "default",
            OwnerReferences = owner is null ? null : [new V1OwnerReference { Kind = owner, Name = "o", ApiVersion = "apps/v1", Uid = "u" }],
            Annotations = mirror ? new Dictionary<string, string> { [DrainPolicy.MirrorAnnotation] = "x" } : null,
        },
        Status = new V1PodStatus { Phase = phase },
    };

    [Fact]
    public void Managed_pods_are_evicted_daemonset_mirror_and_finished_pods_stay()
    {
        var (evict, refusal) = DrainPolicy.Decide("w1", [Pod("web"), Pod("agent", owner: "DaemonSet"), Pod("static", owner: null, mirror: true), Pod("done", phase: "Succeeded")], force: false);

        Assert.Null(refusal);
        Assert.Equal(["web"], evict.Select(p => p.Metadata.Name));
    }

    [Fact]
    public void A_pod_no_controller_manages_refuses_the_drain_naming_it_unless_forced()
    {
        var pods = new[] { Pod("web"), Pod("bare", owner: null) };

        var (_, refusal) = DrainPolicy.Decide("w1", pods, force: false);
        var (forced, none) = DrainPolicy.Decide("w1", pods, force: true);

        Assert.Contains("default/bare", refusal, StringComparison.Ordinal);
        Assert.Contains("--force", refusal, StringComparison.Ordinal);
        Assert.Null(none);
        Assert.Equal(["web", "bare"], forced.Select(p => p.Metadata.Name));
    }
}
