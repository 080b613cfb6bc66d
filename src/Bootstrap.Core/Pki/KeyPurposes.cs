namespace Bootstrap.Core.Pki;

/// <summary>Extended key usages a leaf carries.</summary>
[Flags]
internal enum KeyPurposes
{
    None = 0,
    ServerAuth = 1,
    ClientAuth = 2,
}
