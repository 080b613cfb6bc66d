using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Workflow;

namespace Bootstrap.Core.Tests.Install;

public sealed class ServiceControlTests
{
    private static readonly ServiceSpec Spec = new()
    {
        Unit = "demo.service",
        Component = "demo",
        Inputs = ["/etc/demo.conf"],
        Health = RemoteCommand.Of("check-demo"),
        HealthTimeout = TimeSpan.FromSeconds(20),
        PollInterval = TimeSpan.FromMilliseconds(1),
    };

    /// <summary>
    /// A running unit whose input changed after it started; after <c>restart</c> the old invocation
    /// stays for <paramref name="showsOfOldAfterRestart"/> status reads. Its health check always passes,
    /// as a still-running old process's would.
    /// </summary>
    private sealed class RestartingUnit(int showsOfOldAfterRestart)
    {
        public List<string> Log { get; } = [];

        private bool _restarted;
        private int _showsAfterRestart;

        public CommandResult Answer(RemoteCommand command)
        {
            var argv = command.Argv;
            switch (argv[0])
            {
                case "systemctl" when argv[1] == "show":
                    var invocation = !_restarted || _showsAfterRestart++ < showsOfOldAfterRestart ? "old" : "new";
                    Log.Add($"show {invocation}");
                    return Ok($"ActiveState=active\nActiveEnterTimestamp=@100\nUnitFileState=enabled\nNeedDaemonReload=no\nInvocationID={invocation}\n");
                case "stat":
                    return Ok("200 /etc/demo.conf\n");
                case "systemctl" when argv[1] == "restart":
                    _restarted = true;
                    Log.Add("restart");
                    return Ok(string.Empty);
                case "check-demo":
                    Log.Add("health");
                    return Ok("ok");
                case "journalctl":
                    return Ok("demo: stopping\n");
                default:
                    return new CommandResult(127, string.Empty, "unexpected: " + command.ToShellString());
            }
        }

        private static CommandResult Ok(string stdout) => new(0, stdout, string.Empty);
    }

    [Fact]
    public async Task A_restart_trusts_health_only_from_the_new_process_and_holds_the_roll_until_then()
    {
        var unit = new RestartingUnit(showsOfOldAfterRestart: 3);
        using var rolling = new SemaphoreSlim(1, 1);

        var done = await ServiceControl.EnsureAsync(new FakeHost("cp1", unit.Answer), Spec, false, true, rolling, new SecretRedactor(), CancellationToken.None);

        Assert.Equal(["restarted demo.service (demo started before /etc/demo.conf changed)"], done);
        Assert.Equal(["show old", "restart", "show old", "show old", "show old", "show new", "health"], unit.Log);
        Assert.Equal(1, rolling.CurrentCount);
    }

    [Fact]
    public async Task An_old_process_that_never_stops_fails_the_restart_saying_so()
    {
        var unit = new RestartingUnit(showsOfOldAfterRestart: int.MaxValue);
        using var rolling = new SemaphoreSlim(1, 1);

        var error = await Assert.ThrowsAsync<ServiceException>(() => ServiceControl.EnsureAsync(
            new FakeHost("cp1", unit.Answer), Spec with { HealthTimeout = TimeSpan.FromMilliseconds(200) }, false, true, rolling, new SecretRedactor(), CancellationToken.None));

        Assert.StartsWith("cp1: demo is not healthy after 0 s (check-demo → the process it replaces is still stopping)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("health", unit.Log);
        Assert.Equal(1, rolling.CurrentCount);
    }
}
