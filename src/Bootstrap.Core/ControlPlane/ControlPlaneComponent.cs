namespace Bootstrap.Core.ControlPlane;

/// <summary>A process Bootstrap runs as a systemd unit on control-plane (or etcd) hosts.</summary>
public enum ControlPlaneComponent
{
    Etcd,
    KubeApiServer,
    KubeControllerManager,
    KubeScheduler,
}
