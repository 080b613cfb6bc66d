namespace Bootstrap.Core.ControlPlane;

/// <summary>One aescbc key of the encryption-at-rest configuration: its name in the file and its 32 bytes.</summary>
internal sealed record EncryptionKey(string Name, byte[] Secret)
{
    /// <summary>Letters, digits, '-' and '_': what Bootstrap names keys (key1, key2 …) and what the state file can hold.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
