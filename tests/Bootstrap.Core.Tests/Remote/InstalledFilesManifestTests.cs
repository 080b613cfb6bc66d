using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Tests.Remote;

public sealed class InstalledFilesManifestTests
{
    private static readonly string ShaA = new('a', 64);
    private static readonly string ShaB = new('b', 64);

    private static readonly FileIdentity Identity = new(Size: 120_000_000, ModifiedNs: 1_700_000_000_123_456_789, ChangedNs: 1_700_000_001_000_000_007, Inode: 4242, Device: 65024);

    private static FileStat Stat(string path, FileIdentity? identity = null, bool regular = true) =>
        new(path, regular, 0b111_101_101, "root", "root", identity ?? Identity);

    private static string Line(string sha, FileIdentity identity, string path) => new InstalledFile(path, sha, identity) + "\n";

    [Fact]
    public void A_line_holds_the_sha256_the_identity_as_stat_prints_it_and_the_path_last()
    {
        var entry = new InstalledFile("/usr/local/bin/kube apiserver", ShaA, Identity);

        Assert.Equal($"{ShaA} 120000000 1700000000.123456789 1700000001.000000007 4242 65024 /usr/local/bin/kube apiserver", entry.ToString());
        Assert.Equal(entry, InstalledFile.TryParse(entry.ToString()));
    }

    [Fact]
    public void Times_before_1970_keep_their_sign_and_nanoseconds()
    {
        var entry = new InstalledFile("/x", ShaA, Identity with { ModifiedNs = -1_500_000_000, ChangedNs = -7 });

        Assert.Contains(" -1.500000000 -0.000000007 ", entry.ToString(), StringComparison.Ordinal);
        Assert.Equal(entry, InstalledFile.TryParse(entry.ToString()));
    }

    [Fact]
    public void The_last_line_for_a_path_wins_because_installs_append()
    {
        var newer = Identity with { ChangedNs = Identity.ChangedNs + 1 };
        var manifest = InstalledFilesManifest.Parse(Line(ShaA, Identity, "/usr/local/bin/etcd") + Line(ShaB, newer, "/usr/local/bin/etcd"));

        var entry = Assert.Single(manifest.Entries.Values);
        Assert.Equal(ShaB, entry.Sha256);
        Assert.Equal(newer, entry.Identity);
        Assert.False(manifest.Tidy);
    }

    [Theory]
    [InlineData("# a comment")]
    [InlineData("")]
    [InlineData("not a manifest line at all")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 1 1.000000000 1.000000000 1 1 /etc/x")]
    [InlineData("aaaa 1 1.000000000 1.000000000 1 1 /etc/x")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 1.000000000 1.000000000 1 1 etc/x")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 1 1 1 1 /etc/x")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 1.5 1.000000000 1 1 /etc/x")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa -1 1.000000000 1.000000000 1 1 /etc/x")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 1.000000000 1.000000000 x 1 /etc/x")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 99999999999999.000000000 1.000000000 1 1 /etc/x")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 1.000000000 1.000000000 1 1")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 1.000000000 1.000000000 1 1 /etc/x\r")]
    [InlineData("v2 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 1.000000000 1.000000000 1 1 /etc/x")]
    public void A_line_that_is_not_an_entry_is_ignored_never_an_error(string line)
    {
        var manifest = InstalledFilesManifest.Parse(line + "\n" + Line(ShaA, Identity, "/etc/y"));

        Assert.Equal(["/etc/y"], manifest.Entries.Keys);
    }

    [Fact]
    public void A_last_line_without_its_newline_was_cut_short_and_is_ignored()
    {
        var whole = Line(ShaA, Identity, "/usr/local/bin/kubelet");

        var manifest = InstalledFilesManifest.Parse(Line(ShaB, Identity, "/etc/x") + whole[..^1]);

        Assert.Equal(["/etc/x"], manifest.Entries.Keys);
    }

    [Fact]
    public void Binary_garbage_parses_to_no_entries()
    {
        var garbage = string.Concat(Enumerable.Range(0, 4096).Select(i => (char)((i * 7919) % 256)));

        var manifest = InstalledFilesManifest.Parse(garbage);

        Assert.Empty(manifest.Entries);
        Assert.False(manifest.Tidy);
    }

    [Fact]
    public void A_manifest_is_wasteful_when_it_ends_cut_short_or_has_more_useless_lines_than_entries_not_for_its_order()
    {
        var newer = Identity with { ChangedNs = Identity.ChangedNs + 1 };
        var appended = Line(ShaA, Identity, "/z") + Line(ShaB, Identity, "/a");

        Assert.False(InstalledFilesManifest.Parse(appended).Wasteful);
        Assert.False(InstalledFilesManifest.Parse(appended).Tidy);
        Assert.False(InstalledFilesManifest.Parse(InstalledFilesManifest.Render(InstalledFilesManifest.Parse(appended).Entries.Values)).Wasteful);
        Assert.False(InstalledFilesManifest.Parse(string.Empty).Wasteful);
        // Two entries: two useless lines (an earlier line, junk) are not yet more than them; a third is.
        Assert.False(InstalledFilesManifest.Parse(appended + Line(ShaB, newer, "/z") + "junk\n").Wasteful);
        Assert.True(InstalledFilesManifest.Parse(appended + Line(ShaB, newer, "/z") + "junk\n" + Line(ShaA, newer, "/a")).Wasteful);
        Assert.True(InstalledFilesManifest.Parse(appended + Line(ShaA, Identity, "/b")[..20]).Wasteful);
    }

    [Fact]
    public void Two_manifests_have_the_same_entries_whatever_their_order_header_or_earlier_lines()
    {
        var newer = Identity with { ChangedNs = Identity.ChangedNs + 1 };
        var appended = InstalledFilesManifest.Parse(Line(ShaA, Identity, "/z") + Line(ShaB, Identity, "/a") + Line(ShaB, newer, "/a"));
        var rendered = InstalledFilesManifest.Parse(InstalledFilesManifest.Render([new InstalledFile("/a", ShaB, newer), new InstalledFile("/z", ShaA, Identity)]));

        Assert.True(appended.HasEntriesOf(rendered));
        Assert.True(rendered.HasEntriesOf(appended));
        Assert.False(appended.HasEntriesOf(InstalledFilesManifest.Parse(Line(ShaA, Identity, "/z") + Line(ShaB, Identity, "/a"))));
        Assert.False(appended.HasEntriesOf(InstalledFilesManifest.Parse(Line(ShaA, Identity, "/z"))));
    }

    [Fact]
    public void An_entry_describes_a_file_only_while_every_field_of_its_identity_is_unchanged()
    {
        var manifest = InstalledFilesManifest.Parse(Line(ShaA, Identity, "/usr/local/bin/kubelet"));

        Assert.Equal(ShaA, manifest.For(Stat("/usr/local/bin/kubelet"))?.Sha256);
        Assert.Null(manifest.For(Stat("/usr/local/bin/kubelet", Identity with { ChangedNs = Identity.ChangedNs + 1 })));
        Assert.Null(manifest.For(Stat("/usr/local/bin/kubelet", Identity with { ModifiedNs = Identity.ModifiedNs - 1 })));
        Assert.Null(manifest.For(Stat("/usr/local/bin/kubelet", Identity with { Size = Identity.Size + 1 })));
        Assert.Null(manifest.For(Stat("/usr/local/bin/kubelet", Identity with { Inode = 4243 })));
        Assert.Null(manifest.For(Stat("/usr/local/bin/kubelet", Identity with { Device = 65025 })));
        Assert.Null(manifest.For(Stat("/usr/local/bin/kubectl")));
        Assert.Null(manifest.For(Stat("/usr/local/bin/kubelet", regular: false)));
    }

    [Fact]
    public void Merge_records_a_hashed_file_only_while_it_still_has_the_identity_it_was_hashed_with()
    {
        var manifest = InstalledFilesManifest.Parse(string.Empty);
        var unchanged = new InstalledFile("/etc/a", ShaA, Identity);
        var changedSince = new InstalledFile("/etc/b", ShaB, Identity);

        var text = manifest.Merge(
            new Dictionary<string, FileStat?> { ["/etc/a"] = Stat("/etc/a"), ["/etc/b"] = Stat("/etc/b", Identity with { ChangedNs = 1 }) },
            [unchanged, changedSince]);

        Assert.Equal([unchanged], InstalledFilesManifest.Parse(text).Entries.Values);
        Assert.True(InstalledFilesManifest.Parse(text).Tidy);
    }

    [Fact]
    public void Merge_drops_the_entries_of_files_read_again_that_changed_or_are_gone_and_keeps_the_others()
    {
        var manifest = InstalledFilesManifest.Parse(
            Line(ShaA, Identity, "/var/lib/bootstrap/binaries/etcd-aaaa") + Line(ShaA, Identity, "/etc/changed") + Line(ShaB, Identity, "/etc/not-read") + Line(ShaB, Identity, "/etc/same"));

        var text = manifest.Merge(
            new Dictionary<string, FileStat?>
            {
                ["/var/lib/bootstrap/binaries/etcd-aaaa"] = null,
                ["/etc/changed"] = Stat("/etc/changed", Identity with { Inode = 1 }),
                ["/etc/same"] = Stat("/etc/same"),
            },
            []);

        Assert.Equal(["/etc/not-read", "/etc/same"], InstalledFilesManifest.Parse(text).Entries.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Merge_writes_one_line_per_path_by_path_after_a_header_so_a_merged_manifest_is_tidy()
    {
        var manifest = InstalledFilesManifest.Parse(Line(ShaA, Identity, "/z") + "junk\n" + Line(ShaA, Identity, "/a") + Line(ShaB, Identity, "/a"));

        var text = manifest.Merge(new Dictionary<string, FileStat?>(), []);

        Assert.StartsWith("# bootstrap:", text, StringComparison.Ordinal);
        Assert.Equal([Line(ShaB, Identity, "/a"), Line(ShaA, Identity, "/z")], text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l + "\n"));
        Assert.True(InstalledFilesManifest.Parse(text).Tidy);
        Assert.Equal(text, InstalledFilesManifest.Parse(text).Merge(new Dictionary<string, FileStat?>(), []));
    }

    [Fact]
    public void Merge_with_nothing_to_record_leaves_a_missing_manifest_missing()
    {
        Assert.Equal(string.Empty, InstalledFilesManifest.Parse(string.Empty).Merge(new Dictionary<string, FileStat?> { ["/etc/a"] = null }, []));
        Assert.True(InstalledFilesManifest.Parse(string.Empty).Tidy);
    }

    [Fact]
    public void The_install_command_takes_only_a_sha256_into_its_stat_format()
    {
        var command = InstalledFilesManifest.CommitCommand("/var/lib/bootstrap/installed-files", ShaA.ToUpperInvariant(), "/etc/.x.tmp", "/etc/x");

        Assert.Equal(["/var/lib/bootstrap/installed-files", ShaA, "/etc/.x.tmp", "/etc/x"], command.Argv.Skip(4));
        Assert.True(command.Sudo);
        Assert.Throws<ArgumentException>(() => InstalledFilesManifest.CommitCommand("/m", "%n$(reboot)" + new string('a', 53), null, "/etc/x"));
    }
}
