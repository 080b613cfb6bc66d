namespace Bootstrap.Core.Config;

/// <summary>
/// A pointer to a secret (e.g. an SSH password). The cluster file never holds the secret itself:
/// only <c>env:NAME</c>, <c>file:PATH</c> or <c>prompt</c>.
/// </summary>
public sealed record SecretReference(SecretReferenceKind Kind, string? Target)
{
    /// <summary>The reference as written in the cluster file, e.g. <c>env:SSH_PASSWORD</c>.</summary>
    public override string ToString() => Kind switch
    {
        SecretReferenceKind.Environment => "env:" + Target,
        SecretReferenceKind.File => "file:" + Target,
        _ => "prompt",
    };
}
