// the daemon, its sockets and its mounts exist on Linux only
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
