using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Core.ControlPlane;

/// <summary>Choices for kube-apiserver that depend on the state of the cluster rather than the cluster file.</summary>
internal sealed record ApiServerFlagOptions
{
    /// <summary>
    /// Verify kubelets' serving certificates with the cluster CA (<c>--kubelet-certificate-authority</c>, CIS 1.2.5):
    /// for <c>kubectl logs/exec/port-forward</c> and node proxying the API server then talks only to a kubelet whose
    /// certificate the cluster CA signed for that node. Kubelets request theirs by CSR (<c>serverTLSBootstrap</c>) and
    /// <c>kubelet-serving-csr</c> approves them; on by default, off only when a kubelet.configPatch turns
    /// serverTLSBootstrap off (kubelets would then serve self-signed certificates).
    /// </summary>
    public bool VerifyKubeletServingCertificates { get; init; } = true;

    /// <summary>Days to keep rotated audit logs.</summary>
    public int AuditLogMaxAgeDays { get; init; } = 30;

    /// <summary>Rotated audit log files to keep.</summary>
    public int AuditLogMaxBackups { get; init; } = 10;

    /// <summary>Size in megabytes at which the audit log is rotated.</summary>
    public int AuditLogMaxSizeMegabytes { get; init; } = 100;

    public static ApiServerFlagOptions Default { get; } = new();

    /// <summary>The options for <paramref name="config"/>'s API servers.</summary>
    public static ApiServerFlagOptions For(ClusterConfig config) =>
        new() { VerifyKubeletServingCertificates = KubeletConfiguration.RequestsServingCertificates(config) };
}
