using System.Text.RegularExpressions;
using Bootstrap.Core.Config.Parsing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Config;

/// <summary>
/// Reads a cluster file into a validated <see cref="ClusterConfig"/>. Bad input never throws:
/// every problem (YAML syntax, unknown or missing fields, bad values, broken cross-field rules)
/// comes back as a <see cref="ValidationError"/> with file, line, column and field path.
/// </summary>
public static partial class ClusterConfigLoader
{
    /// <summary>Cluster files are small; anything larger is a mistake (a binary, a log).</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>The file name findings carry when the cluster file was read from standard input (<c>-f -</c>).</summary>
    public const string StandardInputName = "<stdin>";

    /// <summary>
    /// Loads <paramref name="path"/>; messages name the file as given. The files it refers to on this machine
    /// (identity files, password files, external CAs, the state directory) are checked too.
    /// </summary>
    /// <param name="homeDirectory">What <c>~</c> means in paths; the user's home when null.</param>
    public static ClusterConfigLoadResult LoadFile(string path, string? homeDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            return Failed("\"\"", "cannot read the cluster file: the path is empty; give a cluster file, or - for standard input");
        }

        byte[] bytes;
        try
        {
            if (Directory.Exists(path))
            {
                return Failed(path, "is a directory; expected a cluster file");
            }

            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxFileBytes)
            {
                return Failed(path, $"the file is larger than {MaxFileBytes} bytes; expected a cluster file");
            }

            // At most one byte more than a cluster file may hold, whatever the size says: a device (/dev/zero) or a kernel file
            // (/proc/…) says 0 and never ends, and reading it whole ran out of memory.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            var buffer = new byte[MaxFileBytes + 1];
            var length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (length > MaxFileBytes)
            {
                return Failed(path, $"the file is larger than {MaxFileBytes} bytes; expected a cluster file");
            }

            bytes = buffer[..length];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var reason = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => e.Message,
            };
            return Failed(path, "cannot read the cluster file: " + reason);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory();
        return LoadBytes(bytes, path, directory, homeDirectory ?? DefaultHome(), LocalChecks.Files);
    }

    /// <summary>
    /// Loads a cluster file from <paramref name="input"/> (<c>-f -</c>): findings name it
    /// <see cref="StandardInputName"/>, relative paths are relative to the current directory, and referenced
    /// files are checked as by <see cref="LoadFile"/>. At most <see cref="MaxFileBytes"/> characters are read.
    /// </summary>
    public static ClusterConfigLoadResult LoadStandardInput(TextReader input, string? homeDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var buffer = new char[MaxFileBytes + 1];
        var length = input.ReadBlock(buffer, 0, buffer.Length);
        if (length > MaxFileBytes)
        {
            return Failed(StandardInputName, $"standard input holds more than {MaxFileBytes} characters; expected a cluster file");
        }

        return Load(new string(buffer, 0, length), StandardInputName, Directory.GetCurrentDirectory(), homeDirectory ?? DefaultHome(), LocalChecks.StandardInput);
    }

    /// <summary>
    /// Loads a cluster file from the bytes of <paramref name="input"/> (<c>-f -</c>), as <see cref="LoadStandardInput(TextReader, string?)"/>
    /// does from text, and with the encoding checked as <see cref="LoadFile"/> checks a file's. At most <see cref="MaxFileBytes"/> bytes are read.
    /// </summary>
    public static ClusterConfigLoadResult LoadStandardInput(Stream input, string? homeDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var buffer = new byte[MaxFileBytes + 1];
        var length = input.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (length > MaxFileBytes)
        {
            return Failed(StandardInputName, $"standard input holds more than {MaxFileBytes} bytes; expected a cluster file");
        }

        return LoadBytes(buffer[..length], StandardInputName, Directory.GetCurrentDirectory(), homeDirectory ?? DefaultHome(), LocalChecks.StandardInput);
    }

    /// <summary>
    /// Loads cluster-file text. Relative paths in it are resolved against <paramref name="baseDirectory"/>.
    /// Only the text is checked: the files it names are looked at when <paramref name="checkLocalFiles"/> is set
    /// (as <see cref="LoadFile"/> does).
    /// </summary>
    public static ClusterConfigLoadResult Load(string yaml, string fileName, string baseDirectory, string homeDirectory, bool checkLocalFiles = false) =>
        Load(yaml, fileName, baseDirectory, homeDirectory, checkLocalFiles ? LocalChecks.Files : LocalChecks.None);

    /// <summary>The state directory of a cluster file without <c>stateDirectory</c>: <c>~/.bootstrap/NAME</c>.</summary>
    internal static string DefaultStateDirectory(string homeDirectory, string name) => Path.Combine(homeDirectory, ".bootstrap", name);

    /// <summary>Loads a cluster file's bytes: decoded as <see cref="ClusterFileText.Decode"/> says, or its one error.</summary>
    private static ClusterConfigLoadResult LoadBytes(byte[] bytes, string fileName, string baseDirectory, string homeDirectory, LocalChecks local)
    {
        var decoding = new DiagnosticBag(fileName);
        return ClusterFileText.Decode(bytes, decoding) is { } text
            ? Load(text, fileName, baseDirectory, homeDirectory, local)
            : new ClusterConfigLoadResult { Diagnostics = decoding.ToSortedList() };
    }

    private static ClusterConfigLoadResult Load(string yaml, string fileName, string baseDirectory, string homeDirectory, LocalChecks local)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var diagnostics = new DiagnosticBag(fileName);
        var context = new ParseContext(diagnostics, baseDirectory, homeDirectory);
        var root = Parse(yaml, diagnostics);
        ClusterConfig? config = null;
        if (root is not null)
        {
            var draft = ClusterFileReader.Read(context, root);
            ClusterRules.Check(context, draft);
            if (local != LocalChecks.None)
            {
                LocalFileChecks.Check(context, draft, homeDirectory, fromStandardInput: local == LocalChecks.StandardInput);
            }

            if (!diagnostics.HasErrors)
            {
                config = Build(draft, homeDirectory);
                ExtraArgsRules.WarnAboutOverrides(context, config);
            }
        }

        return new ClusterConfigLoadResult { Config = config, Diagnostics = diagnostics.ToSortedList() };
    }

    private static YamlNode? Parse(string yaml, DiagnosticBag diagnostics)
    {
        var stream = new YamlStream();
        try
        {
            if (!ClusterFileText.Check(yaml, diagnostics) || !YamlLimits.Check(yaml, diagnostics))
            {
                return null;
            }

            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            // The scanner's "while scanning X, found Y" points at Y with End; other errors at Start.
            var at = e is SyntaxErrorException ? e.End : e.Start;
            var message = StripPosition(e);
            message = message.StartsWith("Duplicate key ", StringComparison.Ordinal)
                ? $"field {InputQuote.Quote(message["Duplicate key ".Length..])} appears twice in this mapping; expected each field once"
                : "invalid YAML: " + message;
            diagnostics.Error(at, string.Empty, message);
            return null;
        }
        catch (Exception e) when (YamlLimits.IsReaderFailure(e))
        {
            diagnostics.Error(Mark.Empty, string.Empty, YamlLimits.ReaderFailure);
            return null;
        }

        if (stream.Documents.Count == 0 || YamlNodes.IsNull(stream.Documents[0].RootNode))
        {
            diagnostics.Error(Mark.Empty, string.Empty, $"the file is empty; expected a cluster file starting with apiVersion: {ClusterConfig.ApiVersion}");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            diagnostics.Error(stream.Documents[1].RootNode.Start, string.Empty,
                $"found {stream.Documents.Count} YAML documents; expected exactly one cluster file per file");
            return null;
        }

        return stream.Documents[0].RootNode;
    }

    private static string StripPosition(YamlException e)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: …): "; our message carries the position already.
        var message = PositionPrefix().Replace(e.Message, string.Empty);
        if (e.InnerException is YamlException inner && message.Length == 0)
        {
            message = PositionPrefix().Replace(inner.Message, string.Empty);
        }

        return message.Trim();
    }

    private static ClusterConfig Build(ClusterDraft draft, string homeDirectory)
    {
        if (draft is not
            {
                Name: { } name, KubernetesVersion: { } version, Endpoint: { } endpoint, Networking: { } networking,
                LoadBalancer: { } loadBalancer, Etcd: { } etcd, Artifacts: { } artifacts, Ssh: { } ssh, Hosts: { } hosts,
                CertSANs: { } certSANs, Certificates: { } certificates, ControlPlane: { } controlPlane, KubeProxy: { } kubeProxy,
                ExtraArgs: { } extraArgs, ImageRepository: { } imageRepository, Addons: { } addons,
            })
        {
            throw new InvalidOperationException("The cluster file reader left a section unset without reporting an error.");
        }

        var stateDirectory = draft.StateDirectory ?? DefaultStateDirectory(homeDirectory, name);
        var defaults = new SshSettings
        {
            User = ssh.User ?? "root",
            Port = ssh.Port ?? SshReader.DefaultPort,
            IdentityFile = ssh.IdentityFile,
            Password = ssh.Password,
            KnownHostsFile = ssh.KnownHostsFile ?? Path.Combine(stateDirectory, "known_hosts"),
            HostKeyPolicy = ssh.HostKeyPolicy ?? HostKeyPolicy.Strict,
            HostKeyFingerprints = ssh.HostKeyFingerprints ?? [],
            Bastion = ssh.Bastion,
            ConnectTimeout = ssh.ConnectTimeout ?? SshReader.DefaultConnectTimeout,
            CommandTimeout = ssh.CommandTimeout ?? SshReader.DefaultCommandTimeout,
            TransferStallTimeout = ssh.TransferStallTimeout ?? SshReader.DefaultTransferStallTimeout,
            IdentityPassphrase = ssh.IdentityPassphrase,
            Agent = ssh.Agent,
        };

        return new ClusterConfig
        {
            Name = name,
            KubernetesVersion = version,
            ControlPlaneEndpoint = endpoint.Host.Length > 0
                ? endpoint
                : endpoint with { Host = loadBalancer.VirtualIP?.ToString() ?? throw new InvalidOperationException("No endpoint host.") },
            Networking = networking,
            LoadBalancer = loadBalancer,
            Etcd = etcd,
            Artifacts = artifacts,
            Ssh = defaults,
            SshConcurrency = ssh.Concurrency ?? SshReader.DefaultConcurrency,
            Hosts = hosts.Select(h => new HostSpec
            {
                Name = h.Name!,
                Address = h.Address!,
                Roles = h.Roles!,
                Ssh = h.Ssh?.Over(defaults) ?? defaults,
            }).ToArray(),
            ControlPlane = controlPlane,
            Kubelet = new KubeletSpec { ConfigPatch = draft.KubeletConfigPatch },
            KubeProxy = kubeProxy,
            ApiServer = new ApiServerSpec { CertSANs = certSANs },
            Certificates = certificates,
            ExtraArgs = extraArgs,
            ImageRepository = imageRepository,
            Addons = addons,
            StateDirectory = stateDirectory,
        };
    }

    private static ClusterConfigLoadResult Failed(string file, string message) => new()
    {
        Diagnostics = [new ValidationError(file, 0, 0, string.Empty, message)],
    };

    private static string DefaultHome() =>
        Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home
            ? home
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private enum LocalChecks
    {
        None,
        Files,
        StandardInput,
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();
}
