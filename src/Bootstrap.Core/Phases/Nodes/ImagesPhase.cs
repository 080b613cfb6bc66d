using Bootstrap.Core.Config;
using Bootstrap.Core.Images;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// <c>images</c>: the image archives of <c>spec.artifacts.images</c> imported into containerd's <c>k8s.io</c> namespace
/// on every node, for clusters that pull nothing (air-gapped), before any kubelet needs them (the sandbox image
/// first of all). An archive is imported only when one of its images is missing or differs: compared by name and
/// digest (<see cref="ArchivedImage"/>), so a re-run imports nothing. The archive is checked against its sha256 on
/// the workstation and again on the host, and removed from the host after the import.
/// </summary>
internal sealed class ImagesPhase() : HostPhase("images", "Import the image archives of artifacts.images into containerd on every node (air-gapped images), where missing")
{
    private const string UploadDirectory = "/var/tmp";

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Artifacts.Images.Count > 0 ? config.Nodes : [];

    protected override async Task<TargetPlan> PlanAsync(HostPlanning target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var material = await target.MaterialAsync(cancellationToken).ConfigureAwait(false);
        var archives = new List<ImageArchive>();
        foreach (var file in target.Config.Artifacts.Images)
        {
            archives.Add(await material.Artifacts.ImageAsync(file, cancellationToken).ConfigureAwait(false));
        }

        var view = target.View;

        // A containerd that is not running is not asked (ctr would wait for its socket until a timeout, with a message
        // that differs from run to run); one that runs and cannot list its images is named with ctr's words.
        var containerd = await view.UnitAsync("containerd.service", cancellationToken).ConfigureAwait(false);
        var listing = containerd.ActiveState == "active" ? await view.QueryAsync(ContainerdImages.List(), cancellationToken).ConfigureAwait(false) : null;
        var present = listing is { Succeeded: true } ? ContainerdImages.Parse(listing.Stdout) : null;
        // Archives go into containerd side by side (a node's imports took one after the other most of the phase), except one
        // holding an image another archive holds too: which of them the name ends up with must not depend on timing.
        var shared = archives.SelectMany(a => a.Contents.Images.Select(i => i.Name).Distinct(StringComparer.Ordinal))
            .GroupBy(name => name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var changes = new List<Change>();
        var notes = new List<string>();
        foreach (var archive in archives)
        {
            var differing = new List<(ArchivedImage Image, string? Now)>();
            foreach (var image in archive.Contents.Images)
            {
                var now = present is null ? null : await HostIdentityAsync(view, image, present, cancellationToken).ConfigureAwait(false);
                if (now == image.Identity)
                {
                    notes.Add($"{image.Name} is in containerd ({image.Identity})");
                }
                else
                {
                    differing.Add((image, now));
                }
            }

            if (differing.Count == 0)
            {
                continue;
            }

            changes.Add(new Change
            {
                Host = view.Name,
                Kind = ChangeKind.ImageImport,
                Target = $"{string.Join(", ", archive.Contents.Images.Select(i => i.Name))} from {archive.File}",
                From = differing.Count == 1 ? differing[0].Now : null,
                To = string.Join(", ", differing.Select(d => d.Image.Identity)),
                Reason = listing is null ? "containerd is not running yet"
                    : present is null ? $"containerd does not list its images ({FirstLine(listing)})"
                    : string.Join("; ", differing.Select(d => d.Now is null ? $"{d.Image.Name} is missing" : $"{d.Image.Name} is {d.Now}")),
                SideBySide = !archive.Contents.Images.Any(i => shared.Contains(i.Name)),
                Apply = (apply, ct) => ImportAsync(apply, view.Name, archive, ct),
            });
        }

        return new TargetPlan { Changes = changes, Notes = notes };
    }

    /// <summary>What the host's image of that name is, as <paramref name="image"/> is compared: its digest (OCI), or its configuration's (docker archives); null when missing.</summary>
    private static async Task<string?> HostIdentityAsync(HostView view, ArchivedImage image, IReadOnlyDictionary<string, HostImage> present, CancellationToken cancellationToken)
    {
        if (!present.TryGetValue(image.Name, out var held))
        {
            return null;
        }

        if (image.Digest is not null)
        {
            return held.Digest;
        }

        var manifest = await view.QueryAsync(ContainerdImages.Content(held.Digest), cancellationToken).ConfigureAwait(false);
        return (manifest.Succeeded ? ContainerdImages.ConfigDigest(manifest.Stdout) : null) ?? held.Digest;
    }

    private static async Task<IReadOnlyList<string>> ImportAsync(ApplyContext apply, string hostName, ImageArchive archive, CancellationToken cancellationToken)
    {
        var remote = apply.Host(hostName);
        var path = $"{UploadDirectory}/bootstrap-image-{archive.Sha256[..16]}-{archive.File}";
        try
        {
            var content = await archive.Open(cancellationToken).ConfigureAwait(false);
            await using (content.ConfigureAwait(false))
            {
                // A name of this run's own (removed below, whatever happens): the host does not hold it, so the content goes in one command.
                var uploaded = await remote.UploadAsync(content, new FileSpec(path, Mode: 0b110_000_000) { Differs = true }, cancellationToken).ConfigureAwait(false);
                if (!string.Equals(uploaded.Sha256, archive.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new IOException($"{hostName}: {path} was written with sha256 {uploaded.Sha256}, expected {archive.Sha256}");
                }
            }

            await remote.RunCheckedAsync(ContainerdImages.Import(path), apply.Redactor, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await remote.RunAsync(new RemoteCommand(["rm", "-f", "--", path], sudo: true), CancellationToken.None).ConfigureAwait(false);
        }

        // Checked as the next plan will check it, so that a re-run finds nothing to import.
        var listing = await remote.RunCheckedAsync(ContainerdImages.List(), apply.Redactor, cancellationToken).ConfigureAwait(false);
        var present = ContainerdImages.Parse(listing.Stdout);
        var details = new List<string>();
        foreach (var image in archive.Contents.Images)
        {
            var held = present.GetValueOrDefault(image.Name);
            if (held is null || (image.Digest is not null && held.Digest != image.Digest))
            {
                throw new PhaseFailedException(
                    $"{hostName}: after `ctr -n {ContainerdImages.Namespace} images import {archive.File}`, containerd holds {image.Name} as {held?.Digest ?? "nothing"}, expected {image.Identity}");
            }

            details.Add($"imported {image.Name} ({image.Identity}) from {archive.File}");
        }

        return details;
    }

    private static string FirstLine(CommandResult result) =>
        (result.Stderr.Length > 0 ? result.Stderr : result.Stdout).Trim().Split('\n')[0] is { Length: > 0 } line ? line : $"exit {result.ExitCode}";
}
