namespace Bootstrap.Lab.Tests.Lab;

public sealed class BootstrapProcessTests
{
    [Fact]
    public void A_run_that_could_not_run_id_on_a_machine_names_that_machine_for_a_look_through_openssh()
    {
        const string Output = """
            {"event":"run-end","exitCode":1,"result":"failed","error":"1 host(s) failed: cp3: cannot connect to root@192.168.56.23:22 (attempt 3 of 3): `id -u` did not finish within 10 s: the host accepted it but it did not exit"}
            03:08:39 WRN cp3: connecting to root@192.168.56.23:22 failed (`id -u` did not finish within 10 s); retry 2 of 3 in 1s
            03:09:03 ERR [connect] cp3: cannot connect to root@192.168.56.23:22 (attempt 3 of 3): `id -u` did not finish within 10 s
            03:09:03 ERR [connect] w2: cannot connect to root@192.168.56.32:22 (attempt 3 of 3): connection refused
            """;

        Assert.Equal(["cp3"], BootstrapProcess.StuckMachines(Output).Select(m => m.Name));
    }

    [Fact]
    public void A_command_that_did_not_finish_after_connecting_is_not_a_stuck_login()
    {
        Assert.Empty(BootstrapProcess.StuckMachines("w2: `systemctl restart kubelet` did not finish within 20s."));
    }
}
