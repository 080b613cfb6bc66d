namespace Bootstrap.Core.ControlPlane;

/// <summary>Choices for kube-apiserver that depend on the state of the cluster rather than the cluster file.</summary>
internal sealed record ApiServerFlagOptions
{
    /// <summary>
    /// Verify kubelets' serving certificates with the cluster CA (<c>--kubelet-certificate-authority</c>).
    /// Only once kubelet serving certificates are signed by that CA (issue 7); off by default.
    /// </summary>
    public bool VerifyKubeletServingCertificates { get; init; }

    /// <summary>Days to keep rotated audit logs.</summary>
    public int AuditLogMaxAgeDays { get; init; } = 30;

    /// <summary>Rotated audit log files to keep.</summary>
    public int AuditLogMaxBackups { get; init; } = 10;

    /// <summary>Size in megabytes at which the audit log is rotated.</summary>
    public int AuditLogMaxSizeMegabytes { get; init; } = 100;

    public static ApiServerFlagOptions Default { get; } = new();
}
