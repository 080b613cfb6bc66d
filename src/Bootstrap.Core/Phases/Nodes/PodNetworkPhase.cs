using System.Net;
using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// <c>pod-network</c>, after <c>kubelet-start</c>: with <c>networking.cni: bridge</c>, each node's bridge CNI network
/// hands out the pod range the controller manager allocated its Node (<c>spec.podCIDR</c>: the one source of pod
/// ranges), and a oneshot unit keeps a route to every other Node's range through that Node's address (host-gw) plus
/// the masquerade of pod traffic leaving the pod network, at every boot. The routes come from the API's Node list,
/// so a re-run after nodes join or leave updates every node's unit (and deletes routes to ranges no Node has): the
/// phase acts on every node even when the run names some (<see cref="IEveryHostPhase"/>: joining one node adds a route
/// to its pods on all the others); a
/// route or rule missing on the host restarts the unit. A node becomes Ready once its CNI network exists, which is
/// checked. With <c>networking.cni: none</c> the pod network is the admin's: the bridge network, the unit, its
/// routes and its rule are removed, and nodes stay NotReady until the admin's CNI runs.
/// </summary>
internal sealed class PodNetworkPhase() : HostPhase("pod-network", "Configure each node's bridge pod network from its allocated pod range, with routes to every other node's pods; with networking.cni none, remove it"), IEveryHostPhase
{
    private const int Public = 0b110_100_100;
    private const string NoneReason = "networking.cni is none: the pod network is the admin's";

    private static readonly TimeSpan AllocationWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RegistrationWait = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan PollInterval = ApiPolling.Interval;

    private readonly NodeFiles _files = new(new Rendering.TemplateRenderer());

    private static string UnitFile => InstallFiles.UnitPath("bootstrap-pod-network");

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Nodes;

    protected override Task<TargetPlan> PlanAsync(HostPlanning target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Config.Networking.Cni == PodNetwork.None ? RemoveAsync(target, cancellationToken) : BridgeAsync(target, cancellationToken);
    }

    private async Task<TargetPlan> BridgeAsync(HostPlanning target, CancellationToken cancellationToken)
    {
        var (context, host, view) = (target.Context, target.Host, target.View);
        var config = target.Config;
        var service = ServiceCatalog.PodNetwork();
        var api = await context.Api.ReaderAsync(context, cancellationToken).ConfigureAwait(false);
        var nodes = api is null ? null : await AllocatedAsync(api, config, target.Waiting, cancellationToken).ConfigureAwait(false);
        var self = nodes?.FirstOrDefault(n => n.Name == host.Name);
        var changes = new List<Change>();
        var notes = new List<string>();
        if (self?.PodCidr is { } range)
        {
            var (routes, skipped) = PodRoutes.For(config, host.Name, nodes!);
            notes.AddRange(skipped);
            var (files, fileNotes) = await FileConvergence.PlanAsync(view, Files(config, host, range, routes), cancellationToken).ConfigureAwait(false);
            notes.AddRange(fileNotes);
            var units = await ServiceControl.PlanAsync(view, [service], files, waitAfterStart: true, cancellationToken).ConfigureAwait(false);
            var live = await LiveAsync(view, config, cancellationToken).ConfigureAwait(false);
            changes.AddRange(files);
            changes.AddRange(units);
            if (!units.Any(c => c.Target == service.Unit && c.Kind is ChangeKind.UnitStart or ChangeKind.UnitRestart)
                && Drift(config, routes, live) is { Count: > 0 } drift)
            {
                changes.Add(await ServiceControl.PlanRestartAsync(view, service, string.Join("; ", drift), cancellationToken).ConfigureAwait(false));
            }

            changes.AddRange(await StaleBridgeAddressesAsync(view, range, cancellationToken).ConfigureAwait(false));
            var wanted = routes.Select(r => r.Destination).ToHashSet();
            changes.AddRange(live.Routes.Keys.Where(d => !wanted.Contains(d)).Select(d => DeleteRoute(view, d, "no node has this pod range any more")));
            notes.Add($"node {host.Name} hands out pod addresses from {range}; routes to {routes.Count} other node(s)");
        }
        else
        {
            var why = api is null ? "the API does not answer yet" : self is null ? $"{host.Name} has not registered its Node yet" : "no range is allocated yet";
            var files = new List<Change>
            {
                await FileConvergence.DeferredAsync(
                    view,
                    new FileSpec(NodeLayout.CniConflist, Public),
                    $"from node {host.Name}'s pod range (Node.spec.podCIDR), allocated as it registers; {why}",
                    (apply, ct) => RenderConflistAsync(apply, host, ct),
                    cancellationToken).ConfigureAwait(false),
                await FileConvergence.DeferredAsync(
                    view,
                    new FileSpec(UnitFile, Public),
                    "routes to the other nodes' pod ranges, as the API lists them then",
                    (apply, ct) => RenderUnitAsync(apply, host, ct),
                    cancellationToken).ConfigureAwait(false),
            };
            changes.AddRange(files);
            changes.AddRange(await ServiceControl.PlanAsync(view, [service], files, waitAfterStart: true, cancellationToken).ConfigureAwait(false));
        }

        return new TargetPlan
        {
            Changes = changes,
            Notes = notes,
            Rolling = ServiceControl.Restarts(changes),
            VerifyDescription = $"would check that node {host.Name} is Ready (its pod network exists)",
            VerifyReadsOnly = true,
            Verify = (apply, ct) => VerifyReadyAsync(apply, host.Name, ct),
        };
    }

    private async Task<TargetPlan> RemoveAsync(HostPlanning target, CancellationToken cancellationToken)
    {
        var (view, config) = (target.View, target.Config);
        var changes = new List<Change>();
        changes.AddRange(await ServiceControl.PlanRetirementAsync(view, ServiceCatalog.PodNetwork(), NoneReason, cancellationToken).ConfigureAwait(false));
        var removals = await FileConvergence.RemovalsAsync(view, [UnitFile, NodeLayout.CniConflist], NoneReason, cancellationToken).ConfigureAwait(false);
        changes.AddRange(removals);
        if (removals.Any(c => c.Target == UnitFile))
        {
            changes.Add(ServiceControl.DaemonReload(view, "a unit file was removed"));
        }

        var live = await LiveAsync(view, config, cancellationToken).ConfigureAwait(false);
        changes.AddRange(live.Routes.Keys.Select(d => DeleteRoute(view, d, NoneReason)));
        if (live.Masquerading)
        {
            changes.Add(new Change
            {
                Host = view.Name,
                Kind = ChangeKind.RuleDelete,
                Target = $"nat POSTROUTING \"{PodNetworkCommands.MasqueradeComment}\"",
                Reason = NoneReason,
                Apply = async (apply, ct) =>
                {
                    await apply.Host(view.Name).RunCheckedAsync(new RemoteCommand(PodNetworkCommands.Masquerade(config, "-D"), sudo: true), apply.Redactor, ct).ConfigureAwait(false);
                    return [];
                },
            });
        }

        return new TargetPlan
        {
            Changes = changes,
            Notes = [$"the pod network is the admin's (networking.cni: none): {target.Host.Name} is Ready once a CNI network is installed; a cni0 bridge left by Bootstrap's network goes at the next reboot"],
        };
    }

    private IReadOnlyList<DesiredFile> Files(ClusterConfig config, HostSpec host, IPNetwork range, IReadOnlyList<PodRoute> routes) =>
    [
        DesiredFile.FromText(new FileSpec(UnitFile, Public), _files.PodNetworkUnit(config, host, routes)),
        DesiredFile.FromText(new FileSpec(NodeLayout.CniConflist, Public), _files.CniConflist(config, range)),
    ];

    /// <summary>Every Node of the API, once every registered Node has a range (the controller manager allocates as Nodes register); waits at most <see cref="AllocationWait"/>.</summary>
    private static async Task<IReadOnlyList<NodeNetwork>> AllocatedAsync(IClusterReader api, ClusterConfig config, Waiting waiting, CancellationToken cancellationToken)
    {
        var family = config.Networking.PodSubnet.BaseAddress.AddressFamily;
        using var wait = waiting.Begin();
        var deadline = waiting.Time.GetUtcNow() + AllocationWait;
        while (true)
        {
            var nodes = (await api.NodesAsync(cancellationToken).ConfigureAwait(false)).Select(n => NodeNetwork.From(n, family)).ToList();
            if (nodes.All(n => n.PodCidr is not null) || waiting.Time.GetUtcNow() >= deadline)
            {
                return nodes;
            }

            await wait.DelayAsync(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The node's range, once its Node registered and got one (at most <see cref="RegistrationWait"/>).</summary>
    private async Task<byte[]> RenderConflistAsync(ApplyContext apply, HostSpec host, CancellationToken cancellationToken)
    {
        var api = await apply.Run.Api.ReadingAsync(apply, cancellationToken).ConfigureAwait(false);
        var family = apply.Config.Networking.PodSubnet.BaseAddress.AddressFamily;
        using var wait = apply.Waiting.Begin();
        var deadline = apply.Time.GetUtcNow() + RegistrationWait;
        while (true)
        {
            var node = await api.NodeAsync(host.Name, cancellationToken).ConfigureAwait(false);
            if (node is not null && NodeNetwork.From(node, family).PodCidr is { } range)
            {
                return System.Text.Encoding.UTF8.GetBytes(_files.CniConflist(apply.Config, range));
            }

            if (apply.Time.GetUtcNow() >= deadline)
            {
                throw new PhaseFailedException(node is null
                    ? $"node {host.Name} is not registered after {RegistrationWait.TotalMinutes:0} minutes: run kubelet-start first"
                    : $"node {host.Name} has no pod range after {RegistrationWait.TotalMinutes:0} minutes: is kube-controller-manager running (it allocates them with --allocate-node-cidrs)?");
            }

            await wait.DelayAsync(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<byte[]> RenderUnitAsync(ApplyContext apply, HostSpec host, CancellationToken cancellationToken)
    {
        var api = await apply.Run.Api.ReadingAsync(apply, cancellationToken).ConfigureAwait(false);
        var nodes = await AllocatedAsync(api, apply.Config, apply.Waiting, cancellationToken).ConfigureAwait(false);
        var (routes, _) = PodRoutes.For(apply.Config, host.Name, nodes);
        return System.Text.Encoding.UTF8.GetBytes(_files.PodNetworkUnit(apply.Config, host, routes));
    }

    /// <summary>Bootstrap's routes on the host (by their protocol number) and whether its masquerade rule is there.</summary>
    private static async Task<(IReadOnlyDictionary<IPNetwork, IPAddress?> Routes, bool Masquerading)> LiveAsync(HostView view, ClusterConfig config, CancellationToken cancellationToken)
    {
        var routes = await view.QueryAsync(PodNetworkCommands.ListRoutes(config), cancellationToken).ConfigureAwait(false);
        var rule = await view.QueryAsync(new RemoteCommand(PodNetworkCommands.Masquerade(config, "-C"), sudo: true), cancellationToken).ConfigureAwait(false);
        return (routes.Succeeded ? PodNetworkCommands.ParseRoutes(routes.Stdout) : new Dictionary<IPNetwork, IPAddress?>(), rule.Succeeded);
    }

    /// <summary>How the host's routes and rule differ from what the unit sets: a reason to run it again.</summary>
    private static List<string> Drift(ClusterConfig config, IReadOnlyList<PodRoute> routes, (IReadOnlyDictionary<IPNetwork, IPAddress?> Routes, bool Masquerading) live)
    {
        var drift = new List<string>();
        foreach (var route in routes)
        {
            if (!live.Routes.TryGetValue(route.Destination, out var via))
            {
                drift.Add($"the route to {route.Node}'s pods {route.Destination} is missing");
            }
            else if (!Equals(via, route.Via))
            {
                drift.Add($"the route to {route.Node}'s pods {route.Destination} goes via {via?.ToString() ?? "no gateway"}, not {route.Via}");
            }
        }

        if (!live.Masquerading)
        {
            drift.Add($"the masquerade rule for {config.Networking.PodSubnet} is missing");
        }

        return drift;
    }

    /// <summary>
    /// Addresses of the bridge outside the node's range: left by a bridge network of another range (Bootstrap's before
    /// pod ranges came from the Node, or a re-created Node), they make the bridge plugin refuse every new pod.
    /// </summary>
    private static async Task<IEnumerable<Change>> StaleBridgeAddressesAsync(HostView view, IPNetwork range, CancellationToken cancellationToken)
    {
        var bridge = await view.QueryAsync(PodNetworkCommands.BridgeAddresses(), cancellationToken).ConfigureAwait(false);
        var stale = bridge.Succeeded
            ? PodNetworkCommands.ParseAddresses(bridge.Stdout).Where(a => IPAddress.TryParse(a.Split('/')[0], out var ip) && ip.AddressFamily == range.BaseAddress.AddressFamily && !range.Contains(ip))
            : [];
        return stale.Select(address => new Change
        {
            Host = view.Name,
            Kind = ChangeKind.AddressDelete,
            Target = $"{address} of {PodNetworkCommands.Bridge}",
            Reason = $"outside the node's pod range {range}: the bridge plugin would refuse new pods; pods started with addresses of the old range need a restart",
            Apply = async (apply, ct) =>
            {
                await apply.Host(view.Name).RunCheckedAsync(new RemoteCommand(PodNetworkCommands.AddressDelete(address), sudo: true), apply.Redactor, ct).ConfigureAwait(false);
                return [];
            },
        });
    }

    private static Change DeleteRoute(HostView view, IPNetwork destination, string reason) => new()
    {
        Host = view.Name,
        Kind = ChangeKind.RouteDelete,
        Target = destination.ToString(),
        Reason = reason,
        Apply = async (apply, ct) =>
        {
            await apply.Host(view.Name).RunCheckedAsync(new RemoteCommand(PodNetworkCommands.RouteDelete(destination), sudo: true), apply.Redactor, ct).ConfigureAwait(false);
            return [];
        },
    };

    private static async Task<IReadOnlyList<string>> VerifyReadyAsync(ApplyContext apply, string name, CancellationToken cancellationToken)
    {
        var api = await apply.Run.Api.ReadingAsync(apply, cancellationToken).ConfigureAwait(false);
        using var wait = apply.Waiting.Begin();
        var deadline = apply.Time.GetUtcNow() + ReadyTimeout;
        while (true)
        {
            var node = await api.NodeAsync(name, cancellationToken).ConfigureAwait(false);
            if (NodeConditions.IsReady(node))
            {
                return [$"node {name} is Ready"];
            }

            if (apply.Time.GetUtcNow() >= deadline)
            {
                throw new PhaseFailedException($"node {name} is not Ready {ReadyTimeout.TotalMinutes:0} minutes after its pod network was configured: {NodeConditions.Describe(node)}");
            }

            await wait.DelayAsync(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
