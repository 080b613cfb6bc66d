namespace Bootstrap.Core.Install;

internal enum FileChangeKind
{
    /// <summary>The file did not exist.</summary>
    Created,

    /// <summary>The file existed with another sha256.</summary>
    ContentChanged,

    /// <summary>Same content; mode or owner differed.</summary>
    MetadataChanged,
}
