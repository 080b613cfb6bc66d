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

    /// <summary>Loads <paramref name="path"/>; messages name the file as given.</summary>
    /// <param name="homeDirectory">What <c>~</c> means in paths; the user's home when null.</param>
    public static ClusterConfigLoadResult LoadFile(string path, string? homeDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
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

            text = File.ReadAllText(path);
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
        return Load(text, path, directory, homeDirectory ?? DefaultHome());
    }

    /// <summary>Loads cluster-file text. Relative paths in it are resolved against <paramref name="baseDirectory"/>.</summary>
    public static ClusterConfigLoadResult Load(string yaml, string fileName, string baseDirectory, string homeDirectory)
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
            if (!diagnostics.HasErrors)
            {
                config = Build(draft, homeDirectory);
            }
        }

        return new ClusterConfigLoadResult { Config = config, Diagnostics = diagnostics.ToSortedList() };
    }

    private static YamlNode? Parse(string yaml, DiagnosticBag diagnostics)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            // The scanner's "while scanning X, found Y" points at Y with End; other errors at Start.
            var at = e is SyntaxErrorException ? e.End : e.Start;
            var message = StripPosition(e);
            message = message.StartsWith("Duplicate key ", StringComparison.Ordinal)
                ? $"field \"{message["Duplicate key ".Length..]}\" appears twice in this mapping; expected each field once"
                : "invalid YAML: " + message;
            diagnostics.Error(at, string.Empty, message);
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
            })
        {
            throw new InvalidOperationException("The cluster file reader left a section unset without reporting an error.");
        }

        var stateDirectory = draft.StateDirectory ?? Path.Combine(homeDirectory, ".bootstrap", name);
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

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();
}
