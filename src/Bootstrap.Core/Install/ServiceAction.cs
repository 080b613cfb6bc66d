namespace Bootstrap.Core.Install;

internal enum ServiceAction
{
    /// <summary>Running, and started after its inputs last changed.</summary>
    None,

    /// <summary>Not running: started (in parallel with the other hosts).</summary>
    Start,

    /// <summary>Running with older inputs: restarted, one host at a time.</summary>
    Restart,
}
