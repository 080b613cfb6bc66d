namespace Bootstrap.Core.Remote;

/// <summary>
/// A small file to write (<see cref="IRemoteHost.UploadSmallAsync"/>): its whole content, where and how, and the content's
/// lower-case hex sha256, which the host's copy must have before it goes in place.
/// </summary>
public sealed record SmallUpload(byte[] Content, FileSpec Target, string Sha256);

/// <summary>What became of one file of <see cref="IRemoteHost.UploadSmallAsync"/>: its result, or why it was not written.</summary>
public sealed record UploadOutcome(UploadResult? Result, Exception? Error);
