namespace Bootstrap.Core.Config;

/// <summary>The cluster add-ons Bootstrap installs (<c>spec.addons</c>), as kubeadm's addon phase does.</summary>
public sealed record AddonsSpec
{
    public static AddonsSpec Default { get; } = new();

    /// <summary><c>coreDNS</c>: the CoreDNS Deployment and the kube-dns Service kubeadm installs; false for admins who bring their own DNS.</summary>
    public bool CoreDns { get; init; } = true;
}
