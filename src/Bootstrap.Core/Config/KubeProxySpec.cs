namespace Bootstrap.Core.Config;

/// <summary>kube-proxy settings (<c>spec.kubeProxy</c>).</summary>
public sealed record KubeProxySpec
{
    public required KubeProxyMode Mode { get; init; }
}
