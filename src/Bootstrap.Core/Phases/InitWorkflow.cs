using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Phases.Install;
using Bootstrap.Core.Phases.Nodes;
using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases;

/// <summary>The phases of <c>bootstrap init</c>, in order (see docs/phases.md).</summary>
public static class InitWorkflow
{
    public static PhaseTree Create(InitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var session = new InstallSession();
        var nodes = new NodeSession(session);
        IPhase Leaf(InstallStep step) => new InstallPhase(step, session);
        return new PhaseTree(
            "init",
            [
                new PreflightPhase(options.IgnorePreflightErrors, options.MaxClockSkew),
                Leaf(InstallSteps.Certs()),
                Leaf(InstallSteps.Kubeconfig()),
                Leaf(InstallSteps.Artifacts()),
                new PhaseGroup("etcd", "A stacked or external etcd cluster with mutual TLS",
                [
                    Leaf(InstallSteps.EtcdMember(session)),
                    new HealthPhase("health", "Wait until every etcd member is healthy", c => c.EtcdMembers, _ => Health.Etcd()),
                ]),

                // The endpoint before the components behind it, as kubeadm's HA guide has it: controller managers
                // and schedulers reach the API through it and win their leases as soon as they start.
                Leaf(InstallSteps.LoadBalancer(session)),
                new PhaseGroup("control-plane", "The control-plane components on every control-plane host (restarts roll one host at a time)",
                [
                    Leaf(InstallSteps.ApiServer(session)),
                    Leaf(InstallSteps.ControllerManager(session)),
                    Leaf(InstallSteps.Scheduler(session)),
                ]),
                new HealthPhase("wait-control-plane", "Wait until the API answers through the control-plane endpoint",
                    c => c.ControlPlaneHosts, _ => Health.Endpoint()),

                // Cluster-wide API phases run once, from the workstation through the endpoint, reported under the first control-plane host.
                new PhaseGroup("upload-config", "Upload kubeadm's configuration ConfigMaps (kubeadm-config, kubelet-config, kube-proxy) with the RBAC to read them",
                [
                    new ApiObjectsPhase("kubeadm", "The kubeadm-config ConfigMap (ClusterConfiguration, ClusterStatus)", nodes,
                        m => KubeadmClusterObjects.KubeadmConfig(m.Config)),
                    new ApiObjectsPhase("kubelet", "The kubelet-config ConfigMap (the KubeletConfiguration every node runs with)", nodes,
                        m => KubeadmClusterObjects.KubeletConfig(m.Config)),
                    new ApiObjectsPhase("kube-proxy", "The kube-proxy ServiceAccount, its ConfigMap and RBAC", nodes,
                        m => KubeadmClusterObjects.KubeProxy(m.Config)),
                ]),
                new ApiObjectsPhase("bootstrap-token", "RBAC for bootstrap tokens (post CSRs, automatic approval of client CSRs) and the cluster-info ConfigMap", nodes,
                    m => [.. KubeadmClusterObjects.NodeBootstrapRbac(), .. KubeadmClusterObjects.ClusterInfo(m.Config, ApiObjectsPhase.CaPem(m))]),
                .. JoinWorkflow.NodePhases(nodes),
            ]);
    }
}
