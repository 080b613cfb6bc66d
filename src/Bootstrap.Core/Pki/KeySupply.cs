using Bootstrap.Core.Config;

namespace Bootstrap.Core.Pki;

/// <summary>
/// The new keys a run needs, made in the background from the moment their number is known: one generator thread per
/// core (key generation is CPU-bound native code), in the order the keys are taken. A run takes its CAs' keys first,
/// so it signs every certificate while the later keys are still being made instead of after the last one. Disposing
/// stops the generators before their next key.
/// </summary>
internal sealed class KeySupply : IDisposable
{
    private readonly TaskCompletionSource<GeneratedKey>[] _keys;
    private readonly CancellationTokenSource _stop;
    private int _made;
    private int _taken;

    public KeySupply(KeyAlgorithm algorithm, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _keys = new TaskCompletionSource<GeneratedKey>[count];
        for (var i = 0; i < count; i++)
        {
            _keys[i] = new TaskCompletionSource<GeneratedKey>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        for (var i = 0; i < Math.Min(count, Environment.ProcessorCount); i++)
        {
            // Dedicated threads: generators that block pool threads for seconds would starve the run's own continuations.
            _ = Task.Factory.StartNew(() => Generate(algorithm), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    /// <summary>The next key, once it is made. One caller at a time.</summary>
    /// <exception cref="InvalidOperationException">More keys are taken than the supply was made for.</exception>
    public Task<GeneratedKey> TakeAsync(CancellationToken cancellationToken)
    {
        if (_taken >= _keys.Length)
        {
            throw new InvalidOperationException($"all {_keys.Length} keys of this run are already taken");
        }

        return _keys[_taken++].Task.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private void Generate(KeyAlgorithm algorithm)
    {
        int index;
        while ((index = Interlocked.Increment(ref _made) - 1) < _keys.Length)
        {
            if (_stop.IsCancellationRequested)
            {
                _keys[index].TrySetCanceled();
                continue;
            }

            try
            {
                _keys[index].TrySetResult(GeneratedKey.Create(algorithm));
            }
#pragma warning disable CA1031 // Whatever failed reaches the run through the key it was making.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _keys[index].TrySetException(e);
            }
        }
    }
}
