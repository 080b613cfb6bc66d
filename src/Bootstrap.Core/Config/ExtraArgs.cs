namespace Bootstrap.Core.Config;

/// <summary>
/// Extra command-line flags per component (kubeadm's <c>extraArgs</c>), by flag name without the leading dashes.
/// A name Bootstrap sets itself replaces Bootstrap's value (validate warns about each such override).
/// </summary>
public sealed record ExtraArgs
{
    public static ExtraArgs None { get; } = new();

    public IReadOnlyDictionary<string, string> ApiServer { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> ControllerManager { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Scheduler { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Etcd { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Kubelet { get; init; } = new Dictionary<string, string>();
}
