using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Workflow;

/// <summary>Opens a connection to one host of the cluster file (the CLI's is SSH). Failures name the host.</summary>
public interface IHostConnector
{
    Task<IRemoteHost> ConnectAsync(HostSpec host, CancellationToken cancellationToken);
}
