namespace Bootstrap.Core.Config;

/// <summary>The key type of generated certificates.</summary>
public enum KeyAlgorithm
{
    /// <summary><c>rsa-2048</c> (the default, as kubeadm).</summary>
    Rsa2048,

    /// <summary><c>ecdsa-p256</c>.</summary>
    EcdsaP256,
}
