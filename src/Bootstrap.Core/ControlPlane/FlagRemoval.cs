namespace Bootstrap.Core.ControlPlane;

/// <summary>A flag a component stopped accepting in Kubernetes 1.<see cref="RemovedInMinor"/>.</summary>
internal sealed record FlagRemoval(ControlPlaneComponent Component, string Flag, int RemovedInMinor, string Why);
