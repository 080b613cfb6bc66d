using Bootstrap.Lab.Tests.Lab;

namespace Bootstrap.Lab.Tests.Preflight;

/// <summary>
/// Someone else (another checkout, another engineer) may be running the one lab: tests that assert
/// its state wait until no machine runs instead of tearing down a run that is not theirs. A lab whose
/// machines all stopped (a killed session, a rebooted host) serves nobody: it is taken down first, so
/// a test never boots on the stale disks another run left.
/// </summary>
internal static class LabInUse
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(20);

    public static async Task WaitUntilFreeAsync()
    {
        var deadline = DateTime.UtcNow + MaxWait;
        while (true)
        {
            var status = await LabScript.RunAsync(TimeSpan.FromSeconds(30), null, "status");
            Assert.True(status.ExitCode == 0, status.Output);
            var machines = status.Stdout.Split('\n')
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(words => words.Length >= 3 && LabMachine.All.Any(m => m.Name == words[0]))
                .ToList();
            if (machines.All(words => words[2] == "absent"))
            {
                return;
            }

            if (machines.All(words => words[2] != "running"))
            {
                await LabScript.DownOrFailAsync();
                continue;
            }

            Assert.True(DateTime.UtcNow < deadline, "the lab stayed in use for " + MaxWait + ":\n" + status.Stdout);
            await Task.Delay(TimeSpan.FromSeconds(15));
        }
    }
}
