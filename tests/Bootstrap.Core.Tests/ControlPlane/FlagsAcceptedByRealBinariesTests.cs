using System.Text.RegularExpressions;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Tests.Rendering;

namespace Bootstrap.Core.Tests.ControlPlane;

/// <summary>
/// The v1.20 flag lists are accepted by the real v1.20.2 binaries the lab runs (built by
/// <c>scripts/lab artifacts</c> into the lab cluster file's artifacts directory): each binary parses
/// every flag and then only prints its version (<c>--version</c> is acted on after parsing, and an unknown
/// flag fails the parse). Any deprecation warning is for a flag the version gates drop later.
/// </summary>
[Trait("Category", "LabArtifacts")]
public sealed partial class FlagsAcceptedByRealBinariesTests
{
    public static TheoryData<ControlPlaneComponent> Components =>
        new(ControlPlaneComponent.Etcd, ControlPlaneComponent.KubeApiServer, ControlPlaneComponent.KubeControllerManager, ControlPlaneComponent.KubeScheduler);

    private static (string Program, IReadOnlyList<string> Flags) Rendered(ControlPlaneComponent component)
    {
        var config = LabCluster.Load();
        var cp1 = config.Host("cp1");
        return component switch
        {
            ControlPlaneComponent.Etcd => ("etcd", EtcdFlags.Build(config, cp1, EtcdClusterState.New)),
            ControlPlaneComponent.KubeApiServer => ("kube-apiserver", ApiServerFlags.Build(config, cp1, new ApiServerFlagOptions { VerifyKubeletServingCertificates = true })),
            ControlPlaneComponent.KubeControllerManager => ("kube-controller-manager", ControllerManagerFlags.Build(config)),
            _ => ("kube-scheduler", SchedulerFlags.Build(config)),
        };
    }

    private static (int Code, string Output) RunWithVersion(string program, IEnumerable<string> flags) =>
        HostTool.Run(Path.Combine(LabCluster.Load().Artifacts.Directory!, program), [.. flags, "--version"]);

    [Theory]
    [MemberData(nameof(Components))]
    public void The_v1_20_2_binary_accepts_every_rendered_flag(ControlPlaneComponent component)
    {
        var (program, flags) = Rendered(component);

        var (code, output) = RunWithVersion(program, flags);

        Assert.True(code == 0, output);
        Assert.Contains(component == ControlPlaneComponent.Etcd ? "etcd Version: 3.4." : "Kubernetes v1.20.2", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Components))]
    public void The_only_deprecated_flags_are_those_the_version_gates_drop(ControlPlaneComponent component)
    {
        var (program, flags) = Rendered(component);

        var (_, output) = RunWithVersion(program, flags);

        var gated = FlagVersionGates.Removals.Where(r => r.Component == component).Select(r => r.Flag).ToArray();
        Assert.All(DeprecatedFlag().Matches(output), m => Assert.Contains(m.Groups[1].Value, gated));
    }

    [Theory]
    [MemberData(nameof(Components))]
    public void The_binary_rejects_an_unknown_flag_so_acceptance_means_something(ControlPlaneComponent component)
    {
        var (program, flags) = Rendered(component);

        var (code, _) = RunWithVersion(program, [.. flags, "--no-such-flag=1"]);

        Assert.NotEqual(0, code);
    }

    [GeneratedRegex(@"Flag --([a-z0-9-]+) has been deprecated")]
    private static partial Regex DeprecatedFlag();
}
