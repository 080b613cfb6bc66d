using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;

namespace Bootstrap.Core.Tests.Pki;

/// <summary>The run's keys are made in the background and handed out in order, each once.</summary>
public sealed class KeySupplyTests
{
    [Theory]
    [InlineData(KeyAlgorithm.EcdsaP256, 9)]
    [InlineData(KeyAlgorithm.Rsa2048, 3)]
    public async Task It_hands_out_exactly_the_keys_it_was_made_for_each_a_different_key_of_the_algorithm(KeyAlgorithm algorithm, int count)
    {
        using var supply = new KeySupply(algorithm, count, CancellationToken.None);

        var keys = new List<GeneratedKey>();
        for (var i = 0; i < count; i++)
        {
            keys.Add(await supply.TakeAsync(CancellationToken.None));
        }

        Assert.Equal(count, keys.Select(k => k.Pem).Distinct().Count());
        Assert.All(keys, k => Assert.Equal(algorithm, PrivateKeys.AlgorithmOf(k.PublicKey)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => supply.TakeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_run_cancelled_while_it_waits_for_a_key_stops_waiting()
    {
        using var cancel = new CancellationTokenSource();
        using var supply = new KeySupply(KeyAlgorithm.Rsa2048, 40, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await supply.TakeAsync(cancel.Token);
            }
        });
    }

    [Fact]
    public async Task A_run_without_new_keys_starts_no_generator_and_hands_out_none()
    {
        using var supply = new KeySupply(KeyAlgorithm.Rsa2048, 0, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => supply.TakeAsync(CancellationToken.None));
    }
}
