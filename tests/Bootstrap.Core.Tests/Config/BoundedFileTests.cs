using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Config;

public sealed class BoundedFileTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_file_is_read_whole_and_its_text_after_a_byte_order_mark()
    {
        var path = _directory.Combine("file");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("abc\n")]);

        Assert.Equal(7, BoundedFile.ReadAllBytes(path, 7).Length);
        Assert.Equal("abc\n", BoundedFile.ReadAllText(path, 7));
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    [InlineData("/proc/self/status")]
    public void A_device_or_kernel_file_in_a_files_place_reads_as_empty_and_is_never_read(string target)
    {
        // A state file linked to /dev/zero was read until the workstation ran out of memory.
        var path = _directory.Combine("ca.crt");
        File.CreateSymbolicLink(path, target);

        Assert.Empty(BoundedFile.ReadAllBytes(path, BoundedFile.MaxSmallFileBytes));
    }

    [Fact]
    public async Task A_fifo_in_a_files_place_is_never_opened()
    {
        // Opening a FIFO waits for a writer: the read would never return.
        var path = _directory.Combine("fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var read = Task.Run(() => BoundedFile.ReadAllBytes(path, 1024));

        Assert.Empty(await read.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_file_larger_than_the_bound_is_refused_with_its_size_and_the_bound()
    {
        var path = _directory.Combine("big");
        File.WriteAllBytes(path, new byte[3 * 1024 * 1024]);

        var e = Assert.Throws<FileTooLargeException>(() => BoundedFile.ReadAllBytes(path, 2 * 1024 * 1024));

        Assert.Equal("it is 3145728 bytes, larger than any such file Bootstrap reads (2 MiB)", e.Message);
        Assert.IsAssignableFrom<IOException>(e);
    }

    [Fact]
    public void A_missing_file_is_not_found_and_a_directory_is_refused()
    {
        Assert.Throws<FileNotFoundException>(() => BoundedFile.ReadAllBytes(_directory.Combine("missing"), 10));
        Assert.Throws<UnauthorizedAccessException>(() => BoundedFile.ReadAllBytes(_directory.Path, 10));
    }
}
