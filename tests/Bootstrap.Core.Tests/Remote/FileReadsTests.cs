using Bootstrap.Core.Remote;
using Serilog.Core;

namespace Bootstrap.Core.Tests.Remote;

/// <summary>The file-reading script of <see cref="FileReads"/> run by real shells on this machine, and its output read back.</summary>
public sealed class FileReadsTests : IAsyncDisposable
{
    private readonly LocalHost _host = new("self", new SecretRedactor(), Logger.None);
    private readonly string _directory = Directory.CreateTempSubdirectory("bootstrap-reads-").FullName;

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("bash")]
    public async Task Each_file_reads_back_as_cat_prints_it_and_none_can_forge_another(string shell)
    {
        // Contents a shell's read would love to mangle, and lines that look like the script's own.
        string[] contents =
        [
            "ID=debian\nVERSION_ID=\"12\"\n",
            "  leading and trailing blanks  \n\ttab\n",
            "back\\slash \\n not a newline, 100% printf %s %d\n",
            "0!0\n1:forged\n2!1 forged\n",
            string.Empty,
            "\n\n\n",
            "é ✓ ünïcode\n",
            "$(touch " + Path.Combine(_directory, "marker") + ") `id` *\n",
        ];
        var paths = contents.Select((content, i) => Write($"file{i}", content)).ToList();

        var reads = await ReadUnderAsync(shell, paths);

        Assert.Equal(paths, reads.Select(r => r.Path));
        for (var i = 0; i < contents.Length; i++)
        {
            Assert.Equal((await _host.RunAsync(RemoteCommand.Of("cat", paths[i]), CancellationToken.None)).Stdout, reads[i].Content);
            Assert.Null(reads[i].Problem);
        }

        Assert.False(File.Exists(Path.Combine(_directory, "marker")));
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("bash")]
    public async Task A_file_that_cannot_be_read_says_why_and_the_ones_after_it_are_still_read(string shell)
    {
        var after = Write("after", "read\n");
        string[] paths = [Path.Combine(_directory, "missing"), _directory, after, "/proc/1/comm"];

        var reads = await ReadUnderAsync(shell, paths);

        Assert.Equal(new FileRead(paths[0], null, "No such file or directory"), reads[0]);
        Assert.Equal(new FileRead(paths[1], null, "Is a directory"), reads[1]);
        Assert.Equal(new FileRead(after, "read\n", null), reads[2]);
        Assert.Equal(File.ReadAllText("/proc/1/comm"), reads[3].Content);
        var error = Assert.Throws<RemoteCommandException>(() => reads[0].Checked("cp1"));
        Assert.Equal($"cp1: `read {paths[0]}` exited 1: {paths[0]}: No such file or directory", error.Message);
    }

    [Fact]
    public async Task A_proc_sys_value_is_refused_since_a_read_of_one_byte_gets_its_first_byte_only()
    {
        // What the refusal prevents: the kernel gives a /proc/sys value whole to one read from its start, and ends the file
        // at any later offset, so the shell's read of one byte at a time sees the first digit of a number.
        const string pidMax = "/proc/sys/kernel/pid_max";
        var whole = File.ReadAllText(pidMax);
        Assert.True(whole.Trim().Length > 1, $"{pidMax} is {whole}");
        var reads = await ReadUnderAsync("sh", [pidMax]);
        Assert.Equal(whole[..1] + "\n", reads[0].Content);

        var error = Assert.Throws<ArgumentException>(() => new FileReads().Add(pidMax));

        Assert.StartsWith(pidMax + ": a /proc/sys value is read in one read from its start", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_last_line_without_its_newline_gets_one()
    {
        var reads = FileReads.Parse(["/a", "/b"], "0:no newline\n0!0\n1!0\n");

        Assert.Equal(new FileRead("/a", "no newline\n", null), reads[0]);
        Assert.Equal(new FileRead("/b", string.Empty, null), reads[1]);
    }

    [Theory]
    [InlineData("0:x\n")]
    [InlineData("0:x\n0!0\n")]
    [InlineData("1:x\n0!0\n1!0\n")]
    [InlineData("0!0\n0!0\n1!0\n")]
    [InlineData("0!0\n1!0\n2!0\n")]
    [InlineData("0!0\nx\n1!0\n")]
    [InlineData("0!2\n1!0\n")]
    [InlineData("0-x\n0!0\n1!0\n")]
    [InlineData("")]
    public void Output_cut_short_out_of_order_or_not_framed_is_refused(string output)
    {
        var error = Assert.Throws<FormatException>(() => FileReads.Parse(["/a", "/b"], output));

        Assert.Matches("^(line [0-9]+ is not a line of file [0-9]+|it ended after [0-9]+ of 2 files)$", error.Message);
    }

    [Fact]
    public void What_a_fake_host_answers_reads_back_as_given()
    {
        string?[] contents = ["a\nb\n", null, string.Empty, "\n"];

        var reads = FileReads.Parse(["/a", "/b", "/c", "/d"], FileReads.Format(contents));

        Assert.Equal(contents, reads.Select(r => r.Content));
        Assert.Equal("No such file or directory", reads[1].Problem);
    }

    [Fact]
    public async Task In_a_batch_the_reads_are_one_command_between_the_others()
    {
        var batch = new CommandBatch(sudo: false);
        var before = batch.Add("printf", "before");
        var files = new FileReads();
        var os = files.Add("/etc/os-release");
        var missing = files.Add(Path.Combine(_directory, "missing"));
        files.AddTo(batch);
        var after = batch.Add("printf", "after");

        var run = await batch.RunAsync(_host, CancellationToken.None);
        var reads = files.Read(run, new SecretRedactor());

        Assert.Equal(3, batch.Commands.Count);
        Assert.Equal("before", run[before].Stdout);
        Assert.Equal(File.ReadAllText("/etc/os-release"), reads[os].Content);
        Assert.Equal("No such file or directory", reads[missing].Problem);
        Assert.Equal("after", run[after].Stdout);
        Assert.Throws<InvalidOperationException>(() => files.Add("/etc/hostname"));
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private async Task<IReadOnlyList<FileRead>> ReadUnderAsync(string shell, IReadOnlyList<string> paths)
    {
        var result = await _host.RunAsync(new RemoteCommand([shell, .. FileReads.Argv(paths).Skip(1)]), CancellationToken.None);
        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(string.Empty, result.Stderr);
        return FileReads.Parse(paths, result.Stdout);
    }
}
