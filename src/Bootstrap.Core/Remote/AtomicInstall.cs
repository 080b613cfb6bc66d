using System.Globalization;
using Serilog;

namespace Bootstrap.Core.Remote;

/// <summary>
/// The command steps shared by every <see cref="IRemoteHost"/> to put a file in place atomically:
/// the content is first written to a temp file in the target's directory, checked, given its mode
/// and owner, and only then renamed over the target. A reader sees the old file or the new one,
/// never a partial one. Each step is one argv command, run as root.
/// </summary>
internal static class AtomicInstall
{
    /// <summary>Content up to this size goes in one command with the content on its standard input, when the host can (<see cref="OneCommandScript"/>).</summary>
    public const long OneCommandLimit = 1 << 20;

    /// <summary>
    /// The whole upload: skip when the content, mode and owner already match; fix only mode and owner
    /// when the content matches; otherwise let <paramref name="writeTemp"/> fill a temp file beside the
    /// target and commit it. The temp file is removed when anything fails or is cancelled. Content up to
    /// <see cref="OneCommandLimit"/>, or of any size when the caller knows the target lacks it (<see cref="FileSpec.Differs"/>), goes
    /// through <paramref name="runWithInput"/> when given: one root command instead of a probe, a temp file, a transfer and a commit
    /// (<see cref="OneCommand"/>).
    /// </summary>
    /// <param name="runWithInput">
    /// Runs a command with the content streamed to its standard input (after any sudo password); content larger than
    /// <see cref="OneCommandLimit"/> as a transfer (its progress reported, bounded by the stall timeout).
    /// </param>
    public static async Task<UploadResult> UploadAsync(
        IRemoteHost host,
        Stream content,
        FileSpec target,
        Func<LocalContent, string, CancellationToken, Task> writeTemp,
        SecretRedactor redactor,
        ILogger log,
        CancellationToken cancellationToken,
        Func<RemoteCommand, LocalContent, CancellationToken, Task<CommandResult>>? runWithInput = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        await using var local = await LocalContent.OpenAsync(content, target.Sha256, cancellationToken).ConfigureAwait(false);
        if (runWithInput is not null && (local.Length <= OneCommandLimit || target.Differs))
        {
            return await UploadInOneCommandAsync(host, local, target, runWithInput, redactor, log, cancellationToken).ConfigureAwait(false);
        }

        var current = await ProbeAsync(host, target.Path, redactor, cancellationToken).ConfigureAwait(false);
        if (current is not null && current.Matches(target, local.Sha256))
        {
            log.Debug("{Host}: {Path} already has sha256 {Sha256}, mode and owner; not written", host.Name, target.Path, local.Sha256);
            return new UploadResult(Changed: false, local.Sha256);
        }

        if (current is not null && string.Equals(current.Sha256, local.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            await SetMetadataAsync(host, target.Path, target, redactor, cancellationToken).ConfigureAwait(false);
            if (target.Manifest is { } manifest)
            {
                // chown and chmod moved its change time: the entry is made again.
                await host.RunCheckedAsync(InstalledFilesManifest.CommitCommand(manifest, local.Sha256, temp: null, target.Path), redactor, cancellationToken).ConfigureAwait(false);
            }

            log.Information("{Host}: {Path} content unchanged; mode and owner set", host.Name, target.Path);
            return new UploadResult(Changed: true, local.Sha256);
        }

        var temp = await CreateTempBesideAsync(host, target.Path, redactor, cancellationToken).ConfigureAwait(false);
        try
        {
            await writeTemp(local, temp, cancellationToken).ConfigureAwait(false);
            await CommitAsync(host, temp, target, local.Sha256, redactor, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await RemoveQuietlyAsync(host, temp, sudo: true).ConfigureAwait(false);
            throw;
        }

        log.Information("{Host}: wrote {Path} ({Bytes} bytes, sha256 {Sha256})", host.Name, target.Path, local.Length, local.Sha256);
        return new UploadResult(Changed: true, local.Sha256);
    }

    /// <summary>
    /// <see cref="OneCommandScript"/>'s upload: the content goes to the command's standard input (never its arguments: a
    /// key must not show in the host's process list), is checked and renamed in place by that one command.
    /// </summary>
    private static async Task<UploadResult> UploadInOneCommandAsync(
        IRemoteHost host, LocalContent local, FileSpec target, Func<RemoteCommand, LocalContent, CancellationToken, Task<CommandResult>> runWithInput,
        SecretRedactor redactor, ILogger log, CancellationToken cancellationToken)
    {
        var command = OneCommand(target, local.Sha256, large: local.Length > OneCommandLimit);
        var result = await runWithInput(command, local, cancellationToken).ConfigureAwait(false);
        switch (result.ExitCode)
        {
            case 0:
                log.Information("{Host}: wrote {Path} ({Bytes} bytes, sha256 {Sha256})", host.Name, target.Path, local.Length, local.Sha256);
                return new UploadResult(Changed: true, local.Sha256);
            case UnchangedExit:
                log.Debug("{Host}: {Path} already has sha256 {Sha256}, mode and owner; not written", host.Name, target.Path, local.Sha256);
                return new UploadResult(Changed: false, local.Sha256);
            case MetadataExit:
                log.Information("{Host}: {Path} content unchanged; mode and owner set", host.Name, target.Path);
                return new UploadResult(Changed: true, local.Sha256);
            case MismatchExit:
                throw new IOException(UploadedCopyDiffers(host.Name, target.Path, result.Stdout.Trim(), local.Sha256));
            default:
                throw NotWritten(host.Name, target.Path, result, redactor);
        }
    }

    /// <summary>
    /// A file the install command could not put in place (a full file system, a read-only mount, a directory that is a file): the
    /// host, the file and what the command said, not the command (shell that would bury the reason; <c>-v</c> logs it).
    /// </summary>
    private static IOException NotWritten(string host, string path, CommandResult result, SecretRedactor redactor)
    {
        var said = (result.Stderr.Trim().Length > 0 ? result.Stderr : result.Stdout).Trim();
        var reason = said.Length == 0 ? "it said nothing" : said.Length <= 500 ? said : "…" + said[^500..];
        return new IOException(redactor.Redact(
            $"{host}: {path} was not written: the command installing it exited {result.ExitCode}: {reason}. The file in place, if any, is unchanged, and no temp file was left"));
    }

    /// <summary>
    /// Small files (<see cref="IRemoteHost.UploadSmallAsync"/>) in a few root commands instead of one each: the files, in order, are
    /// shared out among up to <see cref="SmallCommandsAtOnce"/> commands of at least <see cref="SmallFilesPerCommand"/> files that run
    /// side by side, each with at most <see cref="OneCommandLimit"/> bytes of content (<see cref="ManyCommand"/>; a file left alone,
    /// or larger than that, is uploaded on its own), every file's content on the command's standard input, one after the other.
    /// Each file is written, checked and renamed as <see cref="OneCommandScript"/> does it; one that fails does not stop the others.
    /// </summary>
    public static async Task<IReadOnlyList<UploadOutcome>> UploadSmallAsync(
        IRemoteHost host, IReadOnlyList<SmallUpload> files, SecretRedactor redactor, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(log);
        var outcomes = new UploadOutcome?[files.Count];

        // Side by side in a few commands of at least SmallFilesPerCommand files each: a host runs each file's few programs one after
        // the other, and on a host with cores to spare the files of one command then wait for nothing.
        var commands = Math.Clamp((files.Count + SmallFilesPerCommand - 1) / SmallFilesPerCommand, 1, SmallCommandsAtOnce);
        var share = (files.Count + commands - 1) / commands;
        await Task.WhenAll(Enumerable.Range(0, files.Count).Chunk(Math.Max(1, share)).Select(async part =>
        {
            var batch = new List<int>();
            long bytes = 0;
            foreach (var i in part)
            {
                var size = files[i].Content.LongLength;
                if (batch.Count > 0 && bytes + size > OneCommandLimit)
                {
                    await WriteAsync(batch).ConfigureAwait(false);
                    batch.Clear();
                    bytes = 0;
                }

                batch.Add(i);
                bytes += size;
            }

            await WriteAsync(batch).ConfigureAwait(false);
        })).ConfigureAwait(false);

        return [.. outcomes.Select((o, i) => o ?? new UploadOutcome(null, new InvalidOperationException($"{host.Name}: {files[i].Target.Path}: no outcome")))];

        async Task WriteAsync(List<int> batch)
        {
            if (batch.Count == 1)
            {
                // Alone (larger than a command takes, or left over): the host's own upload.
                outcomes[batch[0]] = await UploadAloneAsync(host, files[batch[0]], cancellationToken).ConfigureAwait(false);
            }
            else if (batch.Count > 1)
            {
                var written = await WriteManyAsync(host, [.. batch.Select(i => files[i])], redactor, log, cancellationToken).ConfigureAwait(false);
                for (var k = 0; k < batch.Count; k++)
                {
                    outcomes[batch[k]] = written[k];
                }
            }
        }
    }

    /// <summary>
    /// One small file through the host's own <see cref="IRemoteHost.UploadAsync"/>, its failure as its outcome; a connection found
    /// closed is not (a pooled host connects again and makes the whole call again), nor is a cancellation.
    /// </summary>
    internal static async Task<UploadOutcome> UploadAloneAsync(IRemoteHost host, SmallUpload file, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new MemoryStream(file.Content, writable: false);
            return new UploadOutcome(await host.UploadAsync(content, file.Target with { Sha256 = file.Sha256 }, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is not (OperationCanceledException or ConnectionLostException))
        {
            return new UploadOutcome(null, e);
        }
    }

    /// <summary>The fewest files one command of <see cref="UploadSmallAsync"/> writes when there are more than that.</summary>
    private const int SmallFilesPerCommand = 4;

    /// <summary>The most commands of <see cref="UploadSmallAsync"/> that run at once on a host (as many as the runner's side-by-side changes).</summary>
    private const int SmallCommandsAtOnce = 4;

    private static async Task<IReadOnlyList<UploadOutcome>> WriteManyAsync(
        IRemoteHost host, IReadOnlyList<SmallUpload> files, SecretRedactor redactor, ILogger log, CancellationToken cancellationToken)
    {
        var command = ManyCommand(files);
        var result = await host.RunAsync(command, cancellationToken).ConfigureAwait(false);
        // One line per file the script reached, in order: its index, its status and, on a mismatch, the sha256 it had.
        var statuses = new Dictionary<int, (int Code, string Actual)>();
        foreach (var line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ');
            if (fields.Length >= 2 && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                statuses[index] = (code, fields.Length > 2 ? fields[2] : string.Empty);
            }
        }

        var why = result.Stderr.Trim();
        return [.. files.Select((file, i) =>
        {
            var path = file.Target.Path;
            if (!statuses.TryGetValue(i, out var status))
            {
                return new UploadOutcome(null, new IOException(
                    $"{host.Name}: {path} was not written: the command writing {files.Count} files exited with status {result.ExitCode}" + (why.Length > 0 ? ": " + why : string.Empty)));
            }

            switch (status.Code)
            {
                case 0:
                    log.Information("{Host}: wrote {Path} ({Bytes} bytes, sha256 {Sha256})", host.Name, path, file.Content.LongLength, file.Sha256);
                    return new UploadOutcome(new UploadResult(Changed: true, file.Sha256), null);
                case UnchangedExit:
                    log.Debug("{Host}: {Path} already has sha256 {Sha256}, mode and owner; not written", host.Name, path, file.Sha256);
                    return new UploadOutcome(new UploadResult(Changed: false, file.Sha256), null);
                case MetadataExit:
                    log.Information("{Host}: {Path} content unchanged; mode and owner set", host.Name, path);
                    return new UploadOutcome(new UploadResult(Changed: true, file.Sha256), null);
                case MismatchExit:
                    return new UploadOutcome(null, new IOException(UploadedCopyDiffers(host.Name, path, status.Actual, file.Sha256)));
                default:
                    return new UploadOutcome(null, new IOException(
                        string.Create(CultureInfo.InvariantCulture, $"{host.Name}: writing {path} failed with status {status.Code}") + (why.Length > 0 ? ": " + why : string.Empty)));
            }
        })];
    }

    /// <summary>
    /// The one root command that writes <paramref name="files"/> (<see cref="ManyScript"/>): nine arguments per file, and their
    /// contents, one after the other, as its standard input (never its arguments: a key must not show in the host's process list).
    /// </summary>
    public static RemoteCommand ManyCommand(IReadOnlyList<SmallUpload> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var argv = new List<string> { "sh", "-c", ManyScript, "install" };
        var input = new byte[files.Sum(f => f.Content.LongLength)];
        var at = 0;
        foreach (var file in files)
        {
            RequireSha256(file.Sha256);
            var target = file.Target;
            var (directory, name) = Split(target.Path);
            argv.AddRange([target.Path, target.Owner + ":" + target.Group, target.ModeOctal, Convert.ToString(target.Mode, 8), file.Sha256.ToLowerInvariant(),
                target.Manifest ?? string.Empty, directory, "." + name + ".bootstrap-XXXXXXXX", file.Content.Length.ToString(CultureInfo.InvariantCulture)]);
            file.Content.CopyTo(input, at);
            at += file.Content.Length;
        }

        return new RemoteCommand(argv, sudo: true, stdin: input);
    }

    /// <summary>
    /// Several small files in one root command, their contents one after the other on standard input: per file, nine arguments,
    /// <see cref="OneCommandScript"/>'s eight then the content's length in bytes. Each file's directory is made when missing; its
    /// content is read, exactly its length (<c>dd</c>), into a root-owned 0600 temp file beside it (made by the shell, which
    /// refuses one that exists: no <c>mktemp</c> to start), which is checked and put in place as <see cref="OneCommandScript"/>
    /// does (with no <c>chown</c> for a root:root file, nor <c>chmod</c> for mode 0600, which it already has: fewer programs
    /// started per file, the cost that counts on a busy host); then a line says how it went: its index from 0, its status (0 written, 10
    /// already in place, 11 only mode and owner set, 3 the copy differs; then the sha256 the copy had; anything else, a failed
    /// step, whose message is on standard error). Each file starts with the command's own umask (recording a file in the
    /// manifest sets 077). A file that fails leaves its target untouched and the next files are still
    /// written; only a content that cannot be read whole stops the command (what follows it would be misread), and the files
    /// not yet reported count as not written. No temp file outlives the command (nor its stop: see <see cref="PutInPlaceScript"/>), and the command ends only once its standard input
    /// has (<see cref="AwaitEndOfInput"/>).
    /// </summary>
    private const string ManyScript =
        RemoteFileState.SmallSha256Function + "; "
        + "put() { s=$(sha256 < \"$t\") || return 1; s=${s%% *}; [ \"$s\" = \"$h\" ] || return 3; "
        + "if [ -f \"$p\" ] && cmp -s -- \"$t\" \"$p\"; then "
        + "[ \"$(LC_ALL=C stat -c '%a %U:%G' -- \"$p\")\" = \"$4 $2\" ] && return 10; "
        + "chown -- \"$2\" \"$p\" && chmod -- \"$3\" \"$p\" || return 1; r=11; "
        + "else { [ \"$2\" = root:root ] && [ \"$me\" = 0:0 ] || chown -- \"$2\" \"$t\"; } && { [ \"$4\" = 600 ] || chmod -- \"$3\" \"$t\"; } "
        + "&& mv -f -- \"$t\" \"$p\" || return 1; r=0; fi; "
        + "[ -z \"$m\" ] || { " + InstalledFilesManifest.RecordFragment + "; }; return $r; }; "
        + "t=; trap 'trap \"\" HUP INT TERM PIPE; [ -z \"$t\" ] || [ ! -e \"$t\" ] || rm -f -- \"$t\"' EXIT; trap 'exit 1' HUP INT TERM PIPE; "
        + "n=0; u=$(umask); me=$(id -u):$(id -g); "
        + "while [ $# -ge 9 ]; do umask \"$u\"; p=$1 h=$5 m=$6 s= t=; "
        + "if { [ -d \"$7\" ] || mkdir -p -- \"$7\"; } && t=$7/${8%XXXXXXXX}$$-$n && umask 077 && { set -C; { true > \"$t\"; } 2>/dev/null; c=$?; set +C; [ $c -eq 0 ]; }; then "
        + "dd bs=65536 count=\"$9\" iflag=count_bytes,fullblock status=none of=\"$t\" || { cat > /dev/null; exit 1; }; put \"$@\"; r=$?; [ ! -e \"$t\" ] || rm -f -- \"$t\"; "
        + "else echo \"$p: cannot create its temp file $t\" >&2; t=; dd bs=65536 count=\"$9\" iflag=count_bytes,fullblock status=none of=/dev/null || { cat > /dev/null; exit 1; }; r=1; fi; "
        + "t=; echo \"$n $r $s\"; n=$((n+1)); shift 9; done; " + AwaitEndOfInput;

    /// <summary>
    /// The end of a script that takes content on its standard input and has read all of it (a shell builtin: no program started): it
    /// waits for the end of that input before it exits. The client sends the end of input (its EOF) after the last byte; a command
    /// that exits as soon as it has the bytes can have its channel closed by sshd before that EOF arrives, and sshd then takes the
    /// late EOF for one on a channel that does not exist and drops the whole connection ("ieof packet referred to nonexistent
    /// channel", seen on the lab under load). A script that fails before reading its input drains it with <c>cat</c> for the same reason.
    /// </summary>
    internal const string AwaitEndOfInput = "while read -r _; do :; done";

    /// <summary>
    /// The start of a script that reads a large content from its standard input, for a target that allows it (<see cref="FileSpec.WideInput"/>):
    /// the pipe sshd writes that input into is widened from the kernel's 64 KiB to 1 MiB (<c>fcntl F_SETPIPE_SZ</c>, 1031 on every
    /// Linux architecture, by perl: the shell has no way to call it, and perl is part of every Debian and Ubuntu system). Through a
    /// 64 KiB pipe, OpenSSH's sshd spends most of a connection's first large upload moving its own buffers (measured on loopback,
    /// OpenSSH 9.2: 0.5–0.8 s of sshd CPU for a 20 MB binary, 0.03–0.06 s with the wider pipe; scripts/bench/upload). Only a
    /// speed-up: without perl, or where the kernel refuses (a lower <c>fs.pipe-max-size</c>, the user's pipe quota, an input that
    /// is not a pipe), the input is read as it was. perl reads none of the input.
    /// </summary>
    internal const string WideInputPipe = "{ ! command -v perl >/dev/null 2>&1 || perl -e 'fcntl(STDIN, 1031, 1048576)'; } 2>/dev/null";

    /// <summary>
    /// The one root command of an upload (<see cref="OneCommandScript"/>); the content is its standard input. <paramref name="large"/>:
    /// content larger than <see cref="OneCommandLimit"/>, hashed by <see cref="RemoteFileState.Sha256Function"/> (openssl first: on the
    /// lab's hosts three times as fast on a binary) rather than <see cref="RemoteFileState.SmallSha256Function"/>; with
    /// <see cref="FileSpec.WideInput"/>, its input pipe is widened first (<see cref="WideInputPipe"/>).
    /// </summary>
    public static RemoteCommand OneCommand(FileSpec target, string sha256, bool large = false)
    {
        ArgumentNullException.ThrowIfNull(target);
        RequireSha256(sha256);

        var (directory, name) = Split(target.Path);
        return new RemoteCommand(
            ["sh", "-c", (large ? RemoteFileState.Sha256Function + (target.WideInput ? "; " + WideInputPipe : string.Empty) : RemoteFileState.SmallSha256Function) + OneCommandScript, "install", target.Path, target.Owner + ":" + target.Group, target.ModeOctal, Convert.ToString(target.Mode, 8),
                sha256.ToLowerInvariant(), target.Manifest ?? string.Empty, directory, "." + name + ".bootstrap-XXXXXXXX"],
            sudo: true);
    }

    /// <summary>What <see cref="OneCommandScript"/> exits with when the target already had the content, mode and owner.</summary>
    private const int UnchangedExit = 10;

    /// <summary>What <see cref="OneCommandScript"/> exits with when the target had the content and only mode and owner were set.</summary>
    private const int MetadataExit = 11;

    /// <summary>
    /// An upload in one root command, the content on standard input, after a shell function <c>sha256</c> that hashes its standard input: <c>$1</c> target, <c>$2</c> owner:group, <c>$3</c> mode for
    /// chmod, <c>$4</c> the mode as <c>stat -c %a</c> prints it, <c>$5</c> sha256, <c>$6</c> the manifest (empty: none), <c>$7</c> the
    /// target's directory, <c>$8</c> the temp file's mktemp template. The content lands in a root-owned 0600 temp file beside the
    /// target and must have the sha256 (else exit 3, printing what it has); a target with the same bytes is left in place (exit
    /// 10, or 11 when only its mode and owner were set); otherwise the temp file gets mode and owner and is renamed over the
    /// target, whose line the manifest then records. The temp file never outlives the command (nor its stop: see <see cref="PutInPlaceScript"/>), and the command ends only once its standard
    /// input has, also when it fails before reading it (see <see cref="AwaitEndOfInput"/>).
    /// </summary>
    private const string OneCommandScript =
        "; p=$1 h=$5 m=$6; "
        + "t=$(mktemp -p \"$7\" \"$8\") || { cat > /dev/null; exit 1; }; trap 'trap \"\" HUP INT TERM PIPE; rm -f -- \"$t\"' EXIT; trap 'exit 1' HUP INT TERM PIPE; "
        + "cat > \"$t\" || { cat > /dev/null; exit 1; }; s=$(sha256 < \"$t\") || exit; s=${s%% *}; [ \"$s\" = \"$h\" ] || { echo \"$s\"; exit 3; }; "
        + "if [ -f \"$p\" ] && cmp -s -- \"$t\" \"$p\"; then "
        + "[ \"$(LC_ALL=C stat -c '%a %U:%G' -- \"$p\")\" = \"$4 $2\" ] && exit 10; "
        + "chown -- \"$2\" \"$p\" && chmod -- \"$3\" \"$p\" || exit; r=11; "
        + "else chown -- \"$2\" \"$t\" && chmod -- \"$3\" \"$t\" && mv -f -- \"$t\" \"$p\" || exit; r=0; fi; "
        + "[ -z \"$m\" ] || { " + InstalledFilesManifest.RecordFragment + "; }; exit $r";

    private static void RequireSha256(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(Uri.IsHexDigit))
        {
            throw new ArgumentException($"not a sha256: {sha256}", nameof(sha256));
        }
    }

    private static string UploadedCopyDiffers(string host, string path, string actual, string expected) =>
        $"{host}: the uploaded copy of {path} has sha256 {actual}, expected {expected}; the target was left untouched.";

    /// <summary>The current state of <paramref name="path"/>, or null when it does not exist.</summary>
    public static async Task<RemoteFileState?> ProbeAsync(IRemoteHost host, string path, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        var stat = await host.RunAsync(new RemoteCommand(["env", "LC_ALL=C", "stat", "-c", "%a %U %G", "--", path], sudo: true), cancellationToken).ConfigureAwait(false);
        if (!stat.Succeeded)
        {
            if (stat.Stderr.Contains("No such file or directory", StringComparison.Ordinal))
            {
                return null;
            }

            throw new RemoteCommandException(host.Name, $"stat {path}", stat);
        }

        var (mode, owner, group) = RemoteFileState.ParseStat(stat.Stdout);
        var sum = await host.RunCheckedAsync(RemoteFileState.Sha256Command([path]), redactor, cancellationToken).ConfigureAwait(false);
        return new RemoteFileState(RemoteFileState.ParseSha256Sum(sum.Stdout), mode, owner, group);
    }

    /// <summary>Creates an empty root-owned 0600 temp file next to <paramref name="target"/>.</summary>
    public static async Task<string> CreateTempBesideAsync(IRemoteHost host, string target, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        var (directory, name) = Split(target);
        var result = await host.RunCheckedAsync(
            new RemoteCommand(["mktemp", "-p", directory, "." + name + ".bootstrap-XXXXXXXX"], sudo: true), redactor, cancellationToken).ConfigureAwait(false);
        return result.Stdout.Trim();
    }

    /// <summary>
    /// Checks the temp file, sets its mode and owner, then renames it over the target; with <see cref="FileSpec.Manifest"/>, the
    /// rename also records the target's entry there. The check: the temp file's sha256 must be <paramref name="sha256"/>; with
    /// <paramref name="copyFrom"/> (a file on the host already known to have that sha256, such as a staged binary), the temp file
    /// is first filled with it: a hard link, or a copy that must then be byte for byte the same (<c>cmp</c>: no second full hash).
    /// One root command (<see cref="InstallScript"/>): a failure at any step leaves the target untouched and the temp file for the
    /// caller to remove.
    /// </summary>
    public static async Task CommitAsync(
        IRemoteHost host, string temp, FileSpec target, string sha256, SecretRedactor redactor, CancellationToken cancellationToken, string? copyFrom = null)
    {
        var command = InstallCommand(temp, target, sha256, copyFrom);
        CheckCommitted(host, await host.RunAsync(command, cancellationToken).ConfigureAwait(false), target, sha256, copyFrom, redactor);
    }

    /// <summary>
    /// Puts <paramref name="copyFrom"/>, a file on the host known to have <paramref name="sha256"/> (a staged binary), in place as
    /// <paramref name="target"/> like <see cref="CommitAsync"/> does, in one root command with everything around it
    /// (<see cref="PutInPlaceCommand"/>): the temp file beside the target is made, filled, committed, and removed by that command
    /// whatever happens; then <paramref name="afterwards"/> runs there, whose own failure is ignored (a clean-up).
    /// </summary>
    public static async Task PutInPlaceAsync(
        IRemoteHost host, FileSpec target, string sha256, string copyFrom, IReadOnlyList<string> afterwards, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        var command = PutInPlaceCommand(target, sha256, copyFrom, afterwards);
        CheckCommitted(host, await host.RunAsync(command, cancellationToken).ConfigureAwait(false), target, sha256, copyFrom, redactor);
    }

    /// <summary>The one root command of <see cref="PutInPlaceAsync"/>: <see cref="PutInPlaceScript"/> with <see cref="InstallScript"/> inside.</summary>
    public static RemoteCommand PutInPlaceCommand(FileSpec target, string sha256, string copyFrom, IReadOnlyList<string> afterwards)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrEmpty(copyFrom);
        ArgumentNullException.ThrowIfNull(afterwards);
        RequireSha256(sha256);

        var (directory, name) = Split(target.Path);
        return new RemoteCommand(
            ["sh", "-c", PutInPlaceScript, "put-in-place", directory, "." + name + ".bootstrap-XXXXXXXX", InstallScript, target.Path, target.Owner + ":" + target.Group,
                target.ModeOctal, sha256.ToLowerInvariant(), copyFrom, target.Manifest ?? string.Empty, Convert.ToString(target.Mode, 8), .. afterwards],
            sudo: true);
    }

    /// <summary>
    /// <c>$1</c> the target's directory, <c>$2</c> the temp file's mktemp template, <c>$3</c> <see cref="InstallScript"/>, <c>$4</c>…<c>$10</c>
    /// its arguments after the temp file (target, owner:group, mode, sha256, file to put in, manifest, mode as <c>stat %a</c>
    /// prints it); the rest, a command run once the target is in place. Exits with the install's status when it fails (3: the
    /// copy differs), else 0; the temp file never outlives the command (its exit trap ignores the signals that stop a command given up
    /// on, which go to the whole process group: its own <c>rm</c> would be stopped with it).
    /// </summary>
    private const string PutInPlaceScript =
        "t=$(mktemp -p \"$1\" \"$2\") || exit; trap 'trap \"\" HUP INT TERM PIPE; rm -f -- \"$t\"' EXIT; trap 'exit 1' HUP INT TERM PIPE; "
        + "sh -c \"$3\" install \"$t\" \"$4\" \"$5\" \"$6\" \"$7\" \"$8\" \"$9\" \"${10}\" || exit; shift 10; [ $# -eq 0 ] || \"$@\"; exit 0";

    private static void CheckCommitted(IRemoteHost host, CommandResult result, FileSpec target, string sha256, string? copyFrom, SecretRedactor redactor)
    {
        if (result.ExitCode == MismatchExit)
        {
            throw new IOException(copyFrom is null
                ? UploadedCopyDiffers(host.Name, target.Path, result.Stdout.Trim(), sha256)
                : $"{host.Name}: the copy of {copyFrom} made for {target.Path} differs from it; the target was left untouched.");
        }

        if (!result.Succeeded)
        {
            throw NotWritten(host.Name, target.Path, result, redactor);
        }
    }

    /// <summary>The one root command of <see cref="CommitAsync"/>.</summary>
    public static RemoteCommand InstallCommand(string temp, FileSpec target, string sha256, string? copyFrom)
    {
        ArgumentException.ThrowIfNullOrEmpty(temp);
        ArgumentNullException.ThrowIfNull(target);
        RequireSha256(sha256);

        return new RemoteCommand(
            ["sh", "-c", InstallScript, "install", temp, target.Path, target.Owner + ":" + target.Group, target.ModeOctal, sha256.ToLowerInvariant(),
                copyFrom ?? string.Empty, target.Manifest ?? string.Empty, Convert.ToString(target.Mode, 8)],
            sudo: true);
    }

    /// <summary>Sets owner, then mode, of <paramref name="path"/> in one root command (<c>chown</c> may clear set-id bits the mode then sets).</summary>
    public static Task SetMetadataAsync(IRemoteHost host, string path, FileSpec target, SecretRedactor redactor, CancellationToken cancellationToken) =>
        host.RunCheckedAsync(
            new RemoteCommand(["sh", "-c", "chown -- \"$1\" \"$3\" && chmod -- \"$2\" \"$3\"", "metadata", target.Owner + ":" + target.Group, target.ModeOctal, path], sudo: true),
            redactor,
            cancellationToken);

    /// <summary>What <see cref="InstallScript"/> exits with when the temp file is not the content it must be (printing the sha256 it has).</summary>
    private const int MismatchExit = 3;

    /// <summary>
    /// <c>$1</c> temp file, <c>$2</c> target, <c>$3</c> owner:group, <c>$4</c> mode, <c>$5</c> sha256, <c>$6</c> the file to put in
    /// the temp file first (empty: none), <c>$7</c> the manifest (empty: none), <c>$8</c> the mode as <c>stat %a</c> prints it.
    /// Hashes with <see cref="RemoteFileState.Sha256Function"/> from standard input, so no file name is ever escaped in what it prints.
    /// <para>
    /// The file <c>$6</c> (a staged binary) goes in as a hard link when it already has the target's owner and mode, is on the
    /// same file system and the host has no SELinux (a link would keep the store's label, not the one the target's directory
    /// gives an executable): the target is then that very file, with no copy written and read back (a control plane's binaries
    /// are ~470 MB); a file is never changed in place, only replaced by a rename, so the two names keep the same content. Its
    /// manifest entry is recorded again, as linking changed its ctime. A link already has the target's owner and mode (what
    /// let it be a link), so it is not given them again: no <c>chown</c> and <c>chmod</c> started for nothing. Otherwise it is
    /// copied and compared byte for byte, then given the target's owner and mode.
    /// </para>
    /// </summary>
    private const string InstallScript =
        RemoteFileState.Sha256Function + "; t=$1 p=$2 h=$5 m=$7 l=; "
        + "if [ -n \"$6\" ]; then "
        + "if [ ! -e /sys/fs/selinux/enforce ] && [ \"$(LC_ALL=C stat -c '%U:%G %a' -- \"$6\" 2>/dev/null)\" = \"$3 $8\" ] && ln -f -- \"$6\" \"$t\" 2>/dev/null; then l=1; "
        + "else cp -- \"$6\" \"$t\" || exit; cmp -s -- \"$6\" \"$t\" || exit 3; fi; "
        + "else s=$(sha256 < \"$t\") || exit; "
        + "s=${s%% *}; [ \"$s\" = \"$h\" ] || { echo \"$s\"; exit 3; }; fi; "
        + "[ -n \"$l\" ] || { chown -- \"$3\" \"$t\" && chmod -- \"$4\" \"$t\"; } || exit; mv -f -- \"$t\" \"$p\" || exit; "
        + "[ -z \"$m\" ] || { " + InstalledFilesManifest.RecordFragment + "; [ -z \"$l\" ] || { p=$6; " + InstalledFilesManifest.RecordFragment + "; }; }";

    /// <summary>Best effort: removes a temp file (or, <paramref name="recursive"/>, a temp directory) after a failed or cancelled operation, even when the caller's token is cancelled.</summary>
    public static async Task RemoveQuietlyAsync(IRemoteHost host, string path, bool sudo, bool recursive = false)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.RunAsync(new RemoteCommand(["rm", recursive ? "-rf" : "-f", "--", path], sudo), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The original failure matters more; the temp file is hidden and never read.
        }
    }

    public static (string Directory, string Name) Split(string path)
    {
        if (!path.StartsWith('/') || path.EndsWith('/'))
        {
            throw new ArgumentException($"The target must be an absolute file path: {path}", nameof(path));
        }

        var slash = path.LastIndexOf('/');
        return (slash == 0 ? "/" : path[..slash], path[(slash + 1)..]);
    }
}
