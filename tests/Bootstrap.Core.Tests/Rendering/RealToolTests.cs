using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Tests.Rendering;

/// <summary>
/// The rendered files pass the checks of the real programs that will read them: <c>haproxy -c</c>,
/// <c>keepalived -t</c> and <c>systemd-analyze verify</c> (Debian packages installed by scripts/setup-host).
/// Each check is also shown to reject a broken file, so a pass means something.
/// </summary>
[Trait("Category", "HostTools")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RealToolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-render-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Haproxy_accepts_the_rendered_config_and_rejects_a_broken_one()
    {
        var rendered = LabRenderings.All()["haproxy.cfg"]();

        var (code, output) = HostTool.Run("haproxy", "-c", "-f", Write("haproxy.cfg", rendered));
        Assert.True(code == 0, output);
        Assert.Contains("Configuration file is valid", output, StringComparison.Ordinal);
        Assert.DoesNotContain("[WARNING]", output, StringComparison.Ordinal);

        var (brokenCode, _) = HostTool.Run("haproxy", "-c", "-f", Write("broken.cfg", rendered.Replace("check-ssl", "check-sll", StringComparison.Ordinal)));
        Assert.NotEqual(0, brokenCode);
    }

    [Theory]
    [InlineData("lb1-keepalived.conf")]
    [InlineData("lb2-keepalived.conf")]
    public void Keepalived_accepts_the_rendered_config(string name)
    {
        var (code, output) = HostTool.Run("keepalived", "--config-test", "-f", Write(name, LabRenderings.All()[name]()));

        Assert.True(code == 0, output);
        Assert.Equal("", output.Trim());
    }

    [Fact]
    public void Keepalived_config_test_rejects_a_broken_config()
    {
        var broken = LabRenderings.All()["lb1-keepalived.conf"]().Replace("advert_int 1", "advert_interval 1", StringComparison.Ordinal);

        var (code, output) = HostTool.Run("keepalived", "--config-test", "-f", Write("broken.conf", broken));

        Assert.True(code != 0, output);
    }

    [Theory]
    [InlineData("cp1-etcd.service")]
    [InlineData("cp1-kube-apiserver.service")]
    [InlineData("cp1-kube-controller-manager.service")]
    [InlineData("cp1-kube-scheduler.service")]
    public void Systemd_verifies_the_rendered_unit_without_a_warning(string name)
    {
        var unitName = name["cp1-".Length..];

        var (code, output) = VerifyUnit(unitName, LabRenderings.All()[name]());

        Assert.True(code == 0, output);
        Assert.Equal("", output.Trim());
    }

    [Theory]
    [InlineData("w1-kubelet.service")]
    [InlineData("cp1-kubelet.service")]
    [InlineData("w1-kube-proxy.service")]
    public void Systemd_verifies_the_rendered_node_unit_without_a_warning(string name)
    {
        var unitName = name[(name.IndexOf('-', StringComparison.Ordinal) + 1)..];
        // The kubelet requires containerd, which the host running the tests need not have.
        var units = Directory.CreateDirectory(Path.Combine(_dir, "root", "etc/systemd/system")).FullName;
        File.WriteAllText(Path.Combine(units, "containerd.service"), "[Service]\nExecStart=/bin/true\n");

        var (code, output) = VerifyUnit(unitName, LabRenderings.All()[name]());

        Assert.True(code == 0, output);
        Assert.Equal("", output.Trim());
    }

    [Fact]
    public void Systemd_parses_quoted_arguments_with_spaces_quotes_percent_and_dollar_without_a_warning()
    {
        var arguments = new[] { "--a=one two", "--b=say \"hi\"", "--c=100%", "--d=$HOME", "--e=back\\slash", "", ";", "--f='single'" };
        var unit = new TemplateRenderer().Render(
            "kube-scheduler.service.sbn",
            new SystemdUnitModel("cp1", "lab", "/usr/local/bin/kube-scheduler", arguments.Select(SystemdQuote.Argument).ToArray()));

        var (code, output) = VerifyUnit("kube-scheduler.service", unit);

        Assert.True(code == 0, output);
        Assert.Equal("", output.Trim());
    }

    [Fact]
    public void Systemd_verify_rejects_an_unquoted_broken_argument()
    {
        var unit = LabRenderings.All()["cp1-kube-scheduler.service"]().Replace("--profiling=false", "--profiling=\"false", StringComparison.Ordinal);

        var (code, output) = VerifyUnit("kube-scheduler.service", unit);

        Assert.True(code != 0, output);
        Assert.Contains("Unbalanced quoting", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Verifies a unit inside a throwaway root: the unit in /etc/systemd/system, the host's own system
    /// units (for targets like network-online.target) and an executable standing in for the program.
    /// </summary>
    private (int Code, string Output) VerifyUnit(string unitName, string text)
    {
        var root = Path.Combine(_dir, "root");
        var units = Directory.CreateDirectory(Path.Combine(root, "etc/systemd/system")).FullName;
        var bin = Directory.CreateDirectory(Path.Combine(root, "usr/local/bin")).FullName;
        var systemUnits = Directory.CreateDirectory(Path.Combine(root, "usr/lib/systemd/system")).FullName;
        foreach (var file in Directory.GetFiles("/usr/lib/systemd/system"))
        {
            File.Copy(file, Path.Combine(systemUnits, Path.GetFileName(file)), overwrite: true);
        }

        var program = Path.Combine(bin, unitName[..^".service".Length]);
        File.WriteAllText(program, "#!/bin/sh\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(units, unitName), text);

        return HostTool.Run("systemd-analyze", "verify", "--man=no", $"--root={root}", unitName);
    }
}
