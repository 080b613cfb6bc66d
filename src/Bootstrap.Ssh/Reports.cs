namespace Bootstrap.Ssh;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls back on the reporting thread, at once: unlike
/// <see cref="Progress{T}"/> it does not post reports for later, so a stall deadline sees each one as it happens.
/// </summary>
internal sealed class Reports<T>(Action<T> onReport) : IProgress<T>
{
    public void Report(T value) => onReport(value);
}
