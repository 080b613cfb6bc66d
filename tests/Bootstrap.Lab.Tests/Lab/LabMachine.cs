namespace Bootstrap.Lab.Tests.Lab;

internal sealed record LabMachine(string Name, string Address)
{
    /// <summary>The lab topology, as scripts/lab and vagrant/ define it.</summary>
    public static IReadOnlyList<LabMachine> All { get; } =
    [
        new("lb1", "192.168.56.11"), new("lb2", "192.168.56.12"),
        new("cp1", "192.168.56.21"), new("cp2", "192.168.56.22"), new("cp3", "192.168.56.23"),
        new("w1", "192.168.56.31"), new("w2", "192.168.56.32"),
        new("spare", "192.168.56.41"),
    ];
}
