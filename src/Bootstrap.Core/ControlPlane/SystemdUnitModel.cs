namespace Bootstrap.Core.ControlPlane;

/// <summary>What a component's unit template needs: the program and its arguments already quoted for <c>ExecStart=</c>.</summary>
/// <param name="StopTimeoutSeconds">systemd's <c>TimeoutStopSec=</c> for templates that set one.</param>
/// <param name="LoadCredentials">systemd's <c>LoadCredential=</c> values for templates that load credentials.</param>
/// <param name="Environment">systemd's <c>Environment=</c> values (NAME=value: Bootstrap's constants, with nothing systemd would expand or unquote) for templates that set some.</param>
internal sealed record SystemdUnitModel(
    string HostName,
    string ClusterName,
    string Executable,
    IReadOnlyList<string> Arguments,
    int? StopTimeoutSeconds = null,
    IReadOnlyList<string>? LoadCredentials = null,
    IReadOnlyList<string>? Environment = null);
