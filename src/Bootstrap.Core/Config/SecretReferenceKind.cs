namespace Bootstrap.Core.Config;

/// <summary>Where a secret is read from when it is needed.</summary>
public enum SecretReferenceKind
{
    /// <summary><c>env:NAME</c>: the environment variable NAME.</summary>
    Environment,

    /// <summary><c>file:PATH</c>: the content of PATH, without a trailing newline.</summary>
    File,

    /// <summary><c>prompt</c>: asked for on the terminal.</summary>
    Prompt,
}
