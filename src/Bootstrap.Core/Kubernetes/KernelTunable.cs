namespace Bootstrap.Core.Kubernetes;

/// <summary>One kernel setting the kubelet requires, by its sysctl name (<c>vm.overcommit_memory</c>) and value.</summary>
internal sealed record KernelTunable(string Name, long Value)
{
    /// <summary>Where the kernel exposes it: <c>/proc/sys/vm/overcommit_memory</c>.</summary>
    public string ProcPath => "/proc/sys/" + Name.Replace('.', '/');

    public override string ToString() => $"{Name}={Value}";
}
