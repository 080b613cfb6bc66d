using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Core.Tests.Config;

public sealed class ExtraArgsTests
{
    private const string Base = """
        apiVersion: bootstrap.dev/v1alpha1
        kind: Cluster
        metadata:
          name: test
        spec:
          kubernetesVersion: v1.20.2
          networking:
            hostSubnet: 10.0.0.0/24
            podSubnet: 10.244.0.0/16
            serviceSubnet: 10.96.0.0/12
          loadBalancer:
            type: haproxy-keepalived
            virtualIP: 10.0.0.10
          artifacts:
            directory: /srv/artifacts
          hosts:
            - name: lb1
              address: 10.0.0.11
              roles: [loadbalancer]
            - name: cp1
              address: 10.0.0.21
              roles: [control-plane]
            - name: w1
              address: 10.0.0.31
              roles: [worker]

        """;

    private static ClusterConfigLoadResult Load(string sections) =>
        ClusterConfigLoader.Load(Base.Replace("  hosts:\n", sections + "  hosts:\n", StringComparison.Ordinal), "cluster.yaml", "/work", "/home/tester");

    [Fact]
    public void Extra_args_of_every_component_reach_its_flags_with_dashes_stripped_and_scalars_as_written()
    {
        var result = Load("""
              apiServer:
                extraArgs:
                  --audit-log-maxage: 7
                  oidc-issuer-url: https://login.example.test
              controllerManager:
                extraArgs:
                  terminated-pod-gc-threshold: "100"
              scheduler:
                extraArgs:
                  v: 2
              kubelet:
                extraArgs:
                  max-open-files: "1000000"

            """);

        Assert.Empty(result.Errors);
        var config = result.Config!;
        var cp1 = config.Host("cp1");
        var apiserver = ApiServerFlags.Build(config, cp1, ApiServerFlagOptions.Default);
        Assert.Contains("--audit-log-maxage=7", apiserver);
        Assert.DoesNotContain("--audit-log-maxage=30", apiserver);
        Assert.Contains("--oidc-issuer-url=https://login.example.test", apiserver);
        Assert.Contains("--terminated-pod-gc-threshold=100", ControllerManagerFlags.Build(config));
        Assert.Contains("--v=2", SchedulerFlags.Build(config));
        Assert.Contains("--max-open-files=1000000", KubeletFlags.Build(config, config.Host("w1")));
        Assert.Equal(apiserver.Order(StringComparer.Ordinal), apiserver);
    }

    [Fact]
    public void Replacing_a_flag_Bootstrap_sets_is_allowed_with_a_warning_at_its_position_naming_the_replaced_value()
    {
        var result = Load("""
              apiServer:
                extraArgs:
                  authorization-mode: AlwaysAllow
                  audit-log-maxage: "30"

            """);

        Assert.Empty(result.Errors);
        var warning = Assert.Single(result.Diagnostics, d => d.Severity == ValidationSeverity.Warning && d.Path.StartsWith("spec.apiServer", StringComparison.Ordinal));
        Assert.Equal("spec.apiServer.extraArgs.authorization-mode", warning.Path);
        Assert.Contains("replaces the value Bootstrap sets (Node,RBAC)", warning.Message, StringComparison.Ordinal);
        Assert.True(warning.Line > 0);
    }

    [Fact]
    public void Without_extra_args_the_flags_are_exactly_Bootstraps()
    {
        var config = Load(string.Empty).Config!;

        Assert.Empty(config.ExtraArgs.ApiServer);
        Assert.DoesNotContain(ApiServerFlags.Build(config, config.Host("cp1"), ApiServerFlagOptions.Default), f => f.StartsWith("--oidc", StringComparison.Ordinal));
    }
}
