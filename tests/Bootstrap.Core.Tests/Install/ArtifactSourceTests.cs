using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Images;
using Bootstrap.Core.Install;
using Bootstrap.Core.Tests.Images;

namespace Bootstrap.Core.Tests.Install;

public sealed class ArtifactSourceTests : IDisposable
{
    private static readonly HttpClient Http = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-artifacts-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static async Task<string> ReadAsync(DesiredFile file)
    {
        await using var stream = await file.Open(CancellationToken.None);
        return await new StreamReader(stream).ReadToEndAsync();
    }

    [Fact]
    public async Task Directory_mode_takes_digests_from_SHA256SUMS_and_installs_0755_into_usr_local_bin()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "etcd"), "etcd binary");
        await File.WriteAllTextAsync(Path.Combine(_dir, ArtifactSource.ChecksumFile), $"{Sha("etcd binary")}  etcd\n");
        var source = await ArtifactSource.OpenAsync(new ArtifactsSpec { Directory = _dir, Sha256 = new Dictionary<string, string>() }, _dir, Http, CancellationToken.None);

        var etcd = source.Binary("etcd");

        Assert.Equal("/usr/local/bin/etcd", etcd.Path);
        Assert.Equal(0b111_101_101, etcd.Spec.Mode);
        Assert.Equal(Sha("etcd binary"), etcd.Sha256);
        Assert.Equal("etcd binary", await ReadAsync(etcd));
    }

    [Fact]
    public async Task A_local_file_that_does_not_match_its_digest_is_refused_and_an_unknown_one_named()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "kubectl"), "tampered");
        var spec = new ArtifactsSpec { Directory = _dir, Sha256 = new Dictionary<string, string> { ["kubectl"] = Sha("original") } };
        var source = await ArtifactSource.OpenAsync(spec, _dir, Http, CancellationToken.None);

        var mismatch = await Assert.ThrowsAsync<ArtifactException>(() => ReadAsync(source.Binary("kubectl")));
        var unknown = Assert.Throws<ArtifactException>(() => source.Binary("etcd"));

        Assert.Equal($"the artifact {Path.Combine(_dir, "kubectl")} has sha256 {Sha("tampered")}, expected {Sha("original")}; refusing to install it", mismatch.Message);
        Assert.Contains("no sha256 is known for the artifact etcd", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_artifact_or_image_archive_linked_to_a_device_is_refused_and_never_read()
    {
        // /dev/zero in an artifact's place would be hashed without end.
        File.CreateSymbolicLink(Path.Combine(_dir, "kubectl"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(_dir, "app.tar"), "/dev/zero");
        var spec = new ArtifactsSpec { Directory = _dir, Sha256 = new Dictionary<string, string> { ["kubectl"] = Sha("kubectl"), ["app.tar"] = Sha("app") } };
        var source = await ArtifactSource.OpenAsync(spec, _dir, Http, CancellationToken.None);

        var binary = await Assert.ThrowsAsync<ArtifactException>(() => ReadAsync(source.Binary("kubectl")).WaitAsync(TimeSpan.FromSeconds(30)));
        var image = await Assert.ThrowsAsync<ArtifactException>(() => source.ImageAsync("app.tar", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal($"the artifact {Path.Combine(_dir, "kubectl")} is empty, or not a regular file (a device, a FIFO); expected the file whose sha256 is {Sha("kubectl")}", binary.Message);
        Assert.StartsWith($"the artifact {Path.Combine(_dir, "app.tar")} is empty, or not a regular file", image.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_SHA256SUMS_linked_to_a_device_holds_no_digest()
    {
        File.CreateSymbolicLink(Path.Combine(_dir, ArtifactSource.ChecksumFile), "/dev/zero");

        var source = await ArtifactSource.OpenAsync(new ArtifactsSpec { Directory = _dir, Sha256 = new Dictionary<string, string>() }, _dir, Http, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("no sha256 is known for the artifact etcd", Assert.Throws<ArtifactException>(() => source.Binary("etcd")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_SHA256SUMS_names_file_and_line()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, ArtifactSource.ChecksumFile), $"{Sha("a")}  a\nnot a checksum line\n");

        var error = await Assert.ThrowsAsync<ArtifactException>(() =>
            ArtifactSource.OpenAsync(new ArtifactsSpec { Directory = _dir, Sha256 = new Dictionary<string, string>() }, _dir, Http, CancellationToken.None));

        Assert.StartsWith($"{Path.Combine(_dir, ArtifactSource.ChecksumFile)}:2: expected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Url_mode_downloads_once_into_the_cache_and_refuses_a_file_whose_digest_differs()
    {
        using var server = new TinyHttpServer(new Dictionary<string, string> { ["/v1/kubelet"] = "kubelet binary", ["/v1/kube-proxy"] = "evil" });
        var spec = new ArtifactsSpec
        {
            BaseUrl = new Uri(server.BaseUrl + "v1/"),
            Sha256 = new Dictionary<string, string> { ["kubelet"] = Sha("kubelet binary"), ["kube-proxy"] = Sha("kube-proxy binary") },
        };
        var cache = Path.Combine(_dir, "cache");
        var source = await ArtifactSource.OpenAsync(spec, cache, Http, CancellationToken.None);

        Assert.Equal("kubelet binary", await ReadAsync(source.Binary("kubelet")));
        Assert.Equal("kubelet binary", await ReadAsync(source.Binary("kubelet")));
        var again = await ArtifactSource.OpenAsync(spec, cache, Http, CancellationToken.None);
        Assert.Equal("kubelet binary", await ReadAsync(again.Binary("kubelet")));
        var refused = await Assert.ThrowsAsync<ArtifactException>(() => ReadAsync(source.Binary("kube-proxy")));

        Assert.Equal(1, server.Requests("/v1/kubelet"));
        Assert.Contains("has sha256 " + Sha("evil"), refused.Message, StringComparison.Ordinal);
        Assert.Equal([$"kubelet-{Sha("kubelet binary")}"], Directory.GetFiles(cache).Select(Path.GetFileName));
    }

    [Fact]
    public async Task An_image_archive_is_read_once_checked_against_its_digest_and_opened_as_it_is()
    {
        var archive = TestArchives.Oci("\"io.containerd.image.name\":\"k8s.gcr.io/pause:3.2\"");
        await File.WriteAllBytesAsync(Path.Combine(_dir, "pause.tar"), archive);
        await File.WriteAllBytesAsync(Path.Combine(_dir, "pause.tar.gz"), TestArchives.Gzip(archive));
        await File.WriteAllTextAsync(
            Path.Combine(_dir, ArtifactSource.ChecksumFile),
            $"{Convert.ToHexStringLower(SHA256.HashData(archive))}  pause.tar\n{Convert.ToHexStringLower(SHA256.HashData(TestArchives.Gzip(archive)))}  pause.tar.gz\n");
        var source = await ArtifactSource.OpenAsync(new ArtifactsSpec { Directory = _dir, Sha256 = new Dictionary<string, string>() }, _dir, Http, CancellationToken.None);

        var plain = await source.ImageAsync("pause.tar", CancellationToken.None);
        var gzipped = await source.ImageAsync("pause.tar.gz", CancellationToken.None);

        Assert.Same(plain, await source.ImageAsync("pause.tar", CancellationToken.None));
        Assert.Equal("k8s.gcr.io/pause:3.2", Assert.Single(plain.Contents.Images).Name);
        Assert.Equal(plain.Contents, gzipped.Contents with { Images = plain.Contents.Images });
        Assert.Equal(plain.Contents.Images, gzipped.Contents.Images);
        await using var opened = await plain.Open(CancellationToken.None);
        using var copy = new MemoryStream();
        await opened.CopyToAsync(copy);
        Assert.Equal(archive, copy.ToArray());
    }

    [Fact]
    public async Task An_image_archive_that_is_not_the_file_its_digest_names_is_refused_as_such_whatever_it_holds()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "app.tar"), "not even a tar");
        var spec = new ArtifactsSpec { Directory = _dir, Sha256 = new Dictionary<string, string> { ["app.tar"] = Sha("the real archive") } };
        var source = await ArtifactSource.OpenAsync(spec, _dir, Http, CancellationToken.None);

        var error = await Assert.ThrowsAsync<ArtifactException>(() => source.ImageAsync("app.tar", CancellationToken.None));

        Assert.Equal($"the artifact {Path.Combine(_dir, "app.tar")} has sha256 {Sha("not even a tar")}, expected {Sha("the real archive")}; refusing to install it", error.Message);
    }

    [Fact]
    public async Task In_url_mode_what_an_image_archive_holds_is_read_without_writing_the_cache_which_only_opening_fills()
    {
        var archive = TestArchives.Docker("app:1");
        using var server = new TinyHttpServer(new Dictionary<string, byte[]> { ["/v1/app.tar"] = archive });
        var cache = Path.Combine(_dir, "state", "artifacts");
        var spec = new ArtifactsSpec { BaseUrl = new Uri(server.BaseUrl + "v1/"), Sha256 = new Dictionary<string, string> { ["app.tar"] = Convert.ToHexStringLower(SHA256.HashData(archive)) } };
        var source = await ArtifactSource.OpenAsync(spec, cache, Http, CancellationToken.None);

        var image = await source.ImageAsync("app.tar", CancellationToken.None);

        Assert.Equal(ImageArchiveFormat.Docker, image.Contents.Format);
        Assert.False(Directory.Exists(cache), "reading an image archive's contents wrote the cache (a plan must write no state)");
        await using (var opened = await image.Open(CancellationToken.None))
        {
            Assert.Equal(archive.Length, opened.Length);
        }

        Assert.Equal(2, server.Requests("/v1/app.tar"));
        var again = await (await ArtifactSource.OpenAsync(spec, cache, Http, CancellationToken.None)).ImageAsync("app.tar", CancellationToken.None);
        Assert.Equal(image.Contents.Images, again.Contents.Images);
        Assert.Equal(2, server.Requests("/v1/app.tar"));
    }

    /// <summary>A real HTTP/1.1 server on loopback serving fixed bodies and counting requests.</summary>
    private sealed class TinyHttpServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
        private readonly CancellationTokenSource _stop = new();

        public TinyHttpServer(IReadOnlyDictionary<string, string> bodies)
            : this(bodies.ToDictionary(b => b.Key, b => Encoding.UTF8.GetBytes(b.Value), StringComparer.Ordinal))
        {
        }

        public TinyHttpServer(IReadOnlyDictionary<string, byte[]> bodies)
        {
            _listener.Start();
            BaseUrl = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var stream = client.GetStream();
                    var reader = new StreamReader(stream, Encoding.ASCII);
                    var path = (await reader.ReadLineAsync())!.Split(' ')[1];
                    while (!string.IsNullOrEmpty(await reader.ReadLineAsync()))
                    {
                    }

                    lock (_counts)
                    {
                        _counts[path] = _counts.GetValueOrDefault(path) + 1;
                    }

                    var body = bodies.TryGetValue(path, out var b) ? b : [];
                    var head = bodies.ContainsKey(path) ? "200 OK" : "404 Not Found";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {head}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
                    await stream.WriteAsync(body);
                }
            });
        }

        public string BaseUrl { get; }

        public int Requests(string path)
        {
            lock (_counts)
            {
                return _counts.GetValueOrDefault(path);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
