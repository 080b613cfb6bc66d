// Starts OpenSSH's sshd and reads /proc: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
