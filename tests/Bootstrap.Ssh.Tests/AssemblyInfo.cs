// The integration tests drive OpenSSH, useradd and sudo: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
