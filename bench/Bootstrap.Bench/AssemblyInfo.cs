// The benchmarks start OpenSSH's sshd and read /proc: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
