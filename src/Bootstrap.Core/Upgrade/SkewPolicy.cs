using Bootstrap.Core.Config;

namespace Bootstrap.Core.Upgrade;

/// <summary>
/// Kubernetes' version-skew policy and kubeadm's upgrade rules as a pure decision: what an upgrade (or rollback) from the
/// versions hosts run to the cluster file's may not do, each with its reason. Kept to the releases Bootstrap knows.
/// </summary>
internal static class SkewPolicy
{
    /// <summary>The etcd kubeadm pairs with each Kubernetes minor (cmd/kubeadm/app/constants SupportedEtcdVersion): the least a control plane of that minor needs.</summary>
    private static readonly Dictionary<int, KubernetesVersion> MinimumEtcd = new()
    {
        [20] = new(3, 4, 13),
        [21] = new(3, 4, 13),
        [22] = new(3, 5, 0),
        [23] = new(3, 5, 1),
        [24] = new(3, 5, 3),
    };

    private static readonly string[] ControlPlane = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"];

    /// <param name="installed">Every Bootstrap binary on every host, with current and target versions.</param>
    /// <param name="kubelets">The version each node's kubelet reports (Node status), by node.</param>
    public static IReadOnlyList<string> Violations(
        IReadOnlyList<InstalledVersion> installed, IReadOnlyDictionary<string, KubernetesVersion> kubelets, KubernetesVersion target, KubernetesVersion? etcdTarget, bool allowDowngrade)
    {
        ArgumentNullException.ThrowIfNull(installed);
        ArgumentNullException.ThrowIfNull(kubelets);
        ArgumentNullException.ThrowIfNull(target);
        var problems = new List<string>();
        var apiServers = installed.Where(i => i.Component == "kube-apiserver" && i.Current is not null).Select(i => i.Current!).ToList();
        var oldest = apiServers.Count == 0 ? null : apiServers.Min();

        if (oldest is not null && target.Major == oldest.Major && target.Minor > oldest.Minor + 1)
        {
            problems.Add($"the control plane goes one minor version at a time: the oldest API server runs {oldest}, so upgrade to v{oldest.Major}.{oldest.Minor + 1}.x before {target}");
        }

        foreach (var binary in installed.Where(i => i.Current is not null && i.Target is not null && i.Current > i.Target && i.Changes))
        {
            if (binary.Current!.Minor != binary.Target!.Minor || binary.Current.Major != binary.Target.Major)
            {
                problems.Add(binary.IsEtcd
                    ? $"{binary.Host}: {binary.Component} does not support going from {binary.Show(binary.Current)} down to {binary.Show(binary.Target)} (a minor version back); restore a snapshot taken with the older etcd instead"
                    : $"{binary.Host}: {binary.Component} would go from {binary.Current} down to {binary.Target}, a minor version back, which Kubernetes does not support");
            }
            else if (!allowDowngrade)
            {
                problems.Add($"{binary.Host}: {binary.Component} would go from {binary.Show(binary.Current)} down to {binary.Show(binary.Target)}; a rollback within {binary.Target.MinorVersion} needs --allow-downgrade");
            }
        }

        foreach (var (node, kubelet) in kubelets.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            if (oldest is not null && kubelet > oldest)
            {
                problems.Add($"{node}: its kubelet runs {kubelet}, newer than the oldest API server ({oldest}), which the version-skew policy forbids; bring it in line first");
            }

            if (kubelet.Major == target.Major && target.Minor - kubelet.Minor > 2)
            {
                problems.Add($"{node}: its kubelet runs {kubelet}, more than two minor versions older than {target}; upgrade it first");
            }
        }

        foreach (var binary in installed.Where(i => ControlPlane.Contains(i.Component) && i.Component != "kube-apiserver" && i.Current is not null && oldest is not null && i.Current > oldest))
        {
            problems.Add($"{binary.Host}: {binary.Component} runs {binary.Current}, newer than the oldest API server ({oldest})");
        }

        if (etcdTarget is not null && target.Major == 1 && MinimumEtcd.TryGetValue(target.Minor, out var minimum) && etcdTarget < minimum)
        {
            problems.Add($"Kubernetes {target.MinorVersion} needs etcd {InstalledVersion.EtcdVersion(minimum)} or later; spec.etcd.version is {InstalledVersion.EtcdVersion(etcdTarget)}");
        }

        return problems;
    }
}
