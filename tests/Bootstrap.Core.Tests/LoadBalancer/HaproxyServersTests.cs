using Bootstrap.Core.LoadBalancer;

namespace Bootstrap.Core.Tests.LoadBalancer;

public sealed class HaproxyServersTests
{
    private const string Header = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight\n";

    [Theory]
    [InlineData("UP")]
    [InlineData("DOWN")]
    [InlineData("DOWN 1/2")]
    [InlineData("UP 1/3")]
    [InlineData("MAINT")]
    public void The_state_of_the_named_server_of_the_api_server_backend_is_read_by_its_column(string state)
    {
        var csv = Header
            + "stats,cp1,0,0,0,0,,0,0,0,,0,,0,0,0,0,NOLB,1\n"
            + $"kube-apiserver,cp1,0,0,0,0,,0,0,0,,0,,0,0,0,0,{state},1\n"
            + "kube-apiserver,cp2,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1\n";

        Assert.Equal(state, HaproxyServers.State(csv, "cp1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html><body><h1>503 Service Unavailable</h1></body></html>\n")]
    [InlineData(Header + "kube-apiserver,cp2,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1\n")]
    [InlineData("# pxname,svname\nkube-apiserver,cp1\n")]
    [InlineData(Header + "kube-apiserver,cp1,0\n")]
    public void Statistics_that_do_not_list_the_server_tell_nothing(string csv) =>
        Assert.Null(HaproxyServers.State(csv, "cp1"));

    [Fact]
    public void The_read_asks_the_loopback_statistics_as_csv_and_fails_on_an_error_answer()
    {
        var read = HaproxyServers.ReadCommand();

        Assert.Equal(LoadBalancerFiles.ServersUrl, read.Argv[^1]);
        Assert.EndsWith(";csv", LoadBalancerFiles.ServersUrl, StringComparison.Ordinal);
        Assert.StartsWith("http://127.0.0.1:", LoadBalancerFiles.ServersUrl, StringComparison.Ordinal);
        Assert.Contains("--fail", read.Argv);
        Assert.False(read.Sudo);
    }
}
