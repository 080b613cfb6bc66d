namespace Bootstrap.Core.Pki;

/// <summary>What happened to one catalog entry (or the service-account key, named "sa"), and why.</summary>
internal sealed record PkiChange(string Name, PkiChangeAction Action, string? Reason);
