using Bootstrap.Core.Phases.Addons;
using Bootstrap.Core.Phases.Artifacts;
using Bootstrap.Core.Phases.Certs;
using Bootstrap.Core.Phases.ControlPlane;
using Bootstrap.Core.Phases.Etcd;
using Bootstrap.Core.Phases.Identity;
using Bootstrap.Core.Phases.LoadBalancer;
using Bootstrap.Core.Phases.Nodes;
using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Phases.UploadConfig;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases;

/// <summary>The phases of <c>bootstrap init</c>, in order (see docs/phases.md and docs/architecture.md).</summary>
public static class InitWorkflow
{
    public static PhaseTree Create(PreflightOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PhaseTree(
            "init",
            [
                new PreflightPhase(options),
                new IdentityPhase(),
                new CertsPhase(),
                new KubeconfigPhase(),
                new ArtifactsPhase(),
                EtcdWorkflow.Group(),

                // The endpoint before the components behind it, as kubeadm's HA guide has it: controller managers
                // and schedulers reach the API through it and win their leases as soon as they start.
                new LoadBalancerPhase(),
                new PhaseGroup("control-plane", "The control-plane components on every control-plane host (restarts roll one host at a time)",
                    [new ApiServerPhase(), new ControllerManagerPhase(), new SchedulerPhase()]),
                new WaitControlPlanePhase(),

                // Cluster-wide API phases act on the cluster from the workstation, through the endpoint.
                new PhaseGroup("upload-config", "Upload kubeadm's configuration ConfigMaps (kubeadm-config, kubelet-config, kube-proxy) with the RBAC to read them",
                    [new KubeadmConfigPhase(), new KubeletConfigPhase(), new KubeProxyConfigPhase()]),
                new BootstrapTokenPhase(),
                .. JoinWorkflow.NodePhases(),

                // Last, as kubeadm's addon phase: the cluster DNS the kubelets' clusterDNS names.
                new PhaseGroup("addon", "The cluster add-ons kubeadm installs (CoreDNS; kube-proxy runs as a node service)", [new CoreDnsPhase()]),
            ]);
    }
}
