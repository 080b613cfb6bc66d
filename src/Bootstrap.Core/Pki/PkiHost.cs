namespace Bootstrap.Core.Pki;

/// <summary>A machine that appears in certificates: its name (a DNS SAN, and the CN of its etcd certificates) and its IP address.</summary>
internal sealed record PkiHost(string Name, string Address);
