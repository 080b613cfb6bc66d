using System.Globalization;
using System.Security.Cryptography;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Install;
using Bootstrap.Core.Pki;
using Serilog;

namespace Bootstrap.Core.Secrets;

/// <summary>
/// Rotates the encryption-at-rest key the way the Kubernetes documentation does it by hand, driven from the
/// cluster state, each step safe to interrupt and run again:
/// <list type="number">
/// <item>a new key (named key&lt;n+1&gt;) is saved in the state, then rolled to every API server as a second
/// provider — it can decrypt, nothing is written with it yet;</item>
/// <item>the new key becomes the first provider (it encrypts new writes) and is rolled out;</item>
/// <item>every Secret is rewritten through the API, so etcd holds it encrypted with the new key;</item>
/// <item>the old key is rolled away from the API servers, then dropped from the state.</item>
/// </list>
/// Which step comes next is read from the state's key list (the newest key has the highest number), so a run
/// that stopped resumes where it stopped. The state always holds every key a host may still use.
/// </summary>
internal sealed class EncryptionKeyRotation(string stateDirectory, ILogger logger)
{
    private readonly PkiStateDirectory _state = new(stateDirectory);

    /// <param name="roll">Rolls the given keys (first encrypts) to every API server, one at a time; throws when a host fails.</param>
    /// <param name="reencrypt">Rewrites every Secret through the API; returns how many.</param>
    /// <returns>The name of the key that now encrypts, and how many Secrets were rewritten.</returns>
    /// <exception cref="PkiStateException">The state has no keys, or keys this procedure did not make.</exception>
    public async Task<(string Key, int Secrets)> RunAsync(
        Func<IReadOnlyList<EncryptionKey>, CancellationToken, Task> roll, Func<CancellationToken, Task<int>> reencrypt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(roll);
        ArgumentNullException.ThrowIfNull(reencrypt);
        var keys = await ClusterSecrets.ReadKeysAsync(_state, cancellationToken).ConfigureAwait(false)
            ?? throw new PkiStateException($"{_state.FullPath(ClusterSecrets.EncryptionKeysFile)} is missing: there is no key to rotate; see `bootstrap state pull --help`");
        if (keys.Count > 2)
        {
            throw new PkiStateException($"{_state.FullPath(ClusterSecrets.EncryptionKeysFile)} holds {keys.Count} keys; a rotation works from one (or two, when one was interrupted)");
        }

        if (keys.Count == 1)
        {
            var added = new EncryptionKey(NextName(keys[0].Name), RandomNumberGenerator.GetBytes(ApiServerConfigFiles.EncryptionKeyLength));
            keys = [keys[0], added];
            await SaveAsync(keys, cancellationToken).ConfigureAwait(false);
            logger.Information("[{Phase}] saved the new key {Key} in the cluster state; rolling it out as a second provider (it decrypts, nothing is written with it yet)", "rotate", added.Name);
            await roll(keys, cancellationToken).ConfigureAwait(false);
        }

        if (Number(keys[0].Name) < Number(keys[1].Name))
        {
            keys = [keys[1], keys[0]];
            await SaveAsync(keys, cancellationToken).ConfigureAwait(false);
            logger.Information("[{Phase}] {Key} now encrypts new writes; rolling it out", "rotate", keys[0].Name);
        }

        // From here the state is [new, old]: make sure every API server has it, then move the data.
        await roll(keys, cancellationToken).ConfigureAwait(false);
        var secrets = await reencrypt(cancellationToken).ConfigureAwait(false);
        logger.Information("[{Phase}] rewrote {Count} Secrets with {Key}; removing {Old} from the API servers", "rotate", secrets, keys[0].Name, keys[1].Name);
        await roll([keys[0]], cancellationToken).ConfigureAwait(false);
        await SaveAsync([keys[0]], cancellationToken).ConfigureAwait(false);
        return (keys[0].Name, secrets);
    }

    /// <summary>key1 → key2; a name without a trailing number gets 2.</summary>
    public static string NextName(string name) => "key" + (Number(name) + 1).ToString(CultureInfo.InvariantCulture);

    private static int Number(string name)
    {
        var digits = new string(name.Reverse().TakeWhile(char.IsAsciiDigit).Reverse().ToArray());
        return digits.Length > 0 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;
    }

    private async Task SaveAsync(IReadOnlyList<EncryptionKey> keys, CancellationToken cancellationToken)
    {
        await PkiManager.CommitAsync(_state.Root, [new StateFile(ClusterSecrets.EncryptionKeysFile, ClusterSecrets.FormatKeys(keys), PkiStateDirectory.SecretMode)], cancellationToken)
            .ConfigureAwait(false);
        if (_state.Exists(ClusterSecrets.LegacyEncryptionKeyFile))
        {
            File.Delete(_state.FullPath(ClusterSecrets.LegacyEncryptionKeyFile));
        }
    }
}
