using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Tests.ControlPlane;

public sealed class ControlPlaneUnitsTests
{
    private static readonly ControlPlaneUnits Units = new(new TemplateRenderer());

    /// <summary>The ExecStart arguments, one per continuation line.</summary>
    private static string[] ExecStartArguments(string unit)
    {
        var lines = unit.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
        var arguments = new List<string>();
        for (var i = start; lines[i].EndsWith(" \\", StringComparison.Ordinal); i++)
        {
            arguments.Add(lines[i + 1].Trim().TrimEnd('\\').TrimEnd());
        }

        return arguments.ToArray();
    }

    [Fact]
    public void Etcd_unit_runs_as_etcd_restarts_always_and_has_every_flag_on_its_own_line()
    {
        var config = LabCluster.Load();
        var unit = Units.Etcd(config, config.Host("cp2"), EtcdClusterState.New);

        Assert.Contains("\nUser=etcd\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nGroup=etcd\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nRestart=always\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nLimitNOFILE=65536\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nExecStart=/usr/local/bin/etcd \\\n", unit, StringComparison.Ordinal);
        Assert.Equal(EtcdFlags.Build(config, config.Host("cp2"), EtcdClusterState.New), ExecStartArguments(unit));
    }

    [Fact]
    public void Control_plane_units_start_after_the_network_and_carry_their_flags()
    {
        var config = LabCluster.Load();
        var cp3 = config.Host("cp3");

        foreach (var (unit, flags) in new[]
                 {
                     (Units.ApiServer(config, cp3, ApiServerFlagOptions.Default), ApiServerFlags.Build(config, cp3, ApiServerFlagOptions.Default)),
                     (Units.ControllerManager(config, cp3), ControllerManagerFlags.Build(config)),
                     (Units.Scheduler(config, cp3), SchedulerFlags.Build(config)),
                 })
        {
            Assert.Contains("\nAfter=network-online.target\n", unit, StringComparison.Ordinal);
            Assert.Contains("\nRestart=always\n", unit, StringComparison.Ordinal);
            Assert.Equal(flags, ExecStartArguments(unit));
        }
    }

    [Fact]
    public void Control_plane_units_are_refused_for_other_hosts()
    {
        var config = LabCluster.Load();

        Assert.Throws<ArgumentException>(() => Units.ControllerManager(config, config.Host("w1")));
        Assert.Throws<ArgumentException>(() => Units.Scheduler(config, config.Host("lb1")));
        Assert.Throws<ArgumentException>(() => Units.ApiServer(config, config.Host("w2"), ApiServerFlagOptions.Default));
    }
}
