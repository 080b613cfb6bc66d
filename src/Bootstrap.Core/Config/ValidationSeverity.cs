namespace Bootstrap.Core.Config;

public enum ValidationSeverity
{
    /// <summary>The file cannot be used.</summary>
    Error,

    /// <summary>The file is usable but probably not what was meant (e.g. an even number of etcd members).</summary>
    Warning,
}
