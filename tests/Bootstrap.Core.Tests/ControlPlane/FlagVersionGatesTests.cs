using Bootstrap.Core.ControlPlane;
using static Bootstrap.Core.Tests.ControlPlane.FlagAssert;

namespace Bootstrap.Core.Tests.ControlPlane;

/// <summary>Insecure-serving flags are rendered while the components accept them (until 1.23) and never from 1.24.</summary>
public sealed class FlagVersionGatesTests
{
    [Theory]
    [InlineData(20)]
    [InlineData(23)]
    public void Up_to_1_23_the_insecure_ports_are_turned_off_explicitly(int minor)
    {
        var config = LabCluster.Load().AtVersion(minor);

        Assert.Equal("0", Value(ApiServerFlags.Build(config, config.Host("cp1"), ApiServerFlagOptions.Default), "insecure-port"));
        Assert.Equal("0", Value(ControllerManagerFlags.Build(config), "port"));
        Assert.Equal("0", Value(SchedulerFlags.Build(config), "port"));
    }

    [Theory]
    [InlineData(24)]
    [InlineData(28)]
    public void From_1_24_the_removed_insecure_port_flags_are_not_rendered(int minor)
    {
        var config = LabCluster.Load().AtVersion(minor);

        Absent(ApiServerFlags.Build(config, config.Host("cp1"), ApiServerFlagOptions.Default), "insecure-port");
        Absent(ControllerManagerFlags.Build(config), "port");
        Absent(SchedulerFlags.Build(config), "port");
    }

    [Fact]
    public void Only_the_gated_flags_differ_between_1_20_and_1_28()
    {
        var v20 = LabCluster.Load().AtVersion(20);
        var v28 = LabCluster.Load().AtVersion(28);

        Assert.Equal(
            ["--insecure-port=0"],
            ApiServerFlags.Build(v20, v20.Host("cp1"), ApiServerFlagOptions.Default)
                .Except(ApiServerFlags.Build(v28, v28.Host("cp1"), ApiServerFlagOptions.Default)));
        Assert.Equal(["--port=0"], ControllerManagerFlags.Build(v20).Except(ControllerManagerFlags.Build(v28)));
        Assert.Equal(["--port=0"], SchedulerFlags.Build(v20).Except(SchedulerFlags.Build(v28)));
    }

    [Theory]
    [InlineData(35)]
    [InlineData(99)]
    public void An_unknown_future_minor_renders_the_newest_known_set(int minor)
    {
        var newest = LabCluster.Load().AtVersion(28);
        var future = LabCluster.Load().AtVersion(minor);

        Assert.Equal(ApiServerFlags.Build(newest, newest.Host("cp1"), ApiServerFlagOptions.Default), ApiServerFlags.Build(future, future.Host("cp1"), ApiServerFlagOptions.Default));
        Assert.Equal(ControllerManagerFlags.Build(newest), ControllerManagerFlags.Build(future));
        Assert.Equal(SchedulerFlags.Build(newest), SchedulerFlags.Build(future));
        Assert.Equal(EtcdFlags.Build(newest, newest.Host("cp1"), EtcdClusterState.New), EtcdFlags.Build(future, future.Host("cp1"), EtcdClusterState.New));
    }

    [Fact]
    public void The_table_names_each_insecure_serving_flag_once_with_its_removal_minor() =>
        Assert.Equal(
            [
                (ControlPlaneComponent.KubeApiServer, "insecure-port", 24),
                (ControlPlaneComponent.KubeControllerManager, "port", 24),
                (ControlPlaneComponent.KubeScheduler, "port", 24),
            ],
            FlagVersionGates.Removals.Select(r => (r.Component, r.Flag, r.RemovedInMinor)));
}
