using Erofs.Accel.Service.Metrics;

namespace Erofs.Accel.Service.Control;

/// <summary>The verbs of the control protocol (see docs/service.md).</summary>
public static class ControlOperations
{
    public const string Hello = "hello";
    public const string Attach = "attach";
    public const string Detach = "detach";
    public const string Mount = "mount";
    public const string Unmount = "umount";
    public const string List = "list";
    public const string Stats = "stats";

    /// <summary>Verbs that change what the daemon serves (root or the daemon's own user only).</summary>
    public static bool Changes(string op) => op is Attach or Detach or Mount or Unmount;

    public static bool IsKnown(string op) => op is Hello or Attach or Detach or Mount or Unmount or List or Stats;
}

/// <summary>One request. Fields a verb does not use are left out.</summary>
public sealed record ControlRequest
{
    public int Version { get; init; } = ControlProtocol.Version;
    public string Op { get; init; } = "";
    /// <summary>attach, mount: absolute path of the image file.</summary>
    public string? Image { get; init; }
    /// <summary>attach: folder name in the namespace; detach, umount: which image.</summary>
    public string? Name { get; init; }
    /// <summary>attach, mount: absolute paths of extra devices, in device-table order.</summary>
    public List<string>? Devices { get; init; }
    /// <summary>mount: absolute mount point; umount: the mount point (or use Name).</summary>
    public string? MountPoint { get; init; }
    /// <summary>attach: sharing domain (files are shared only between images of one domain).</summary>
    public string? Domain { get; init; }
    /// <summary>detach, umount: go ahead although files are open (lazy detach).</summary>
    public bool Force { get; init; }
}

/// <summary>Why a request failed, so a client can choose its exit code.</summary>
public static class ControlErrorKinds
{
    /// <summary>The request itself is wrong (a bad name, a missing field): exit 2.</summary>
    public const string Usage = "usage";
    /// <summary>The operation failed (missing or corrupt image, mount refused): exit 1.</summary>
    public const string Failure = "failure";
    /// <summary>Refused because files are open: exit 1.</summary>
    public const string Busy = "busy";
    /// <summary>The peer may not do this: exit 1.</summary>
    public const string Denied = "denied";
    /// <summary>A malformed, oversized or unsupported message: exit 1.</summary>
    public const string Protocol = "protocol";
}

/// <summary>One answer. <see cref="Ok"/> false comes with a one-line <see cref="Error"/>.</summary>
public sealed record ControlResponse
{
    public int Version { get; init; } = ControlProtocol.Version;
    public bool Ok { get; init; }
    public string? Error { get; init; }
    public string? ErrorKind { get; init; }
    /// <summary>A line for the user on success.</summary>
    public string? Message { get; init; }
    public DaemonInfo? Daemon { get; init; }
    /// <summary>list: every served image; attach, mount: the new one.</summary>
    public List<MountInfo>? Mounts { get; init; }
    public ServiceStatistics? Stats { get; init; }

    public static ControlResponse Failed(string kind, string error) => new() { Ok = false, ErrorKind = kind, Error = error };
}

/// <summary>Who answers: for hello, and for clients to check versions.</summary>
public sealed record DaemonInfo
{
    public int Pid { get; init; }
    public string Version { get; init; } = "";
    public int ProtocolVersion { get; init; }
    public string Policy { get; init; } = "";
    /// <summary>Folder of the shared namespace, or null when the daemon serves none.</summary>
    public string? NamespaceRoot { get; init; }
    public DateTimeOffset StartedAt { get; init; }
}

/// <summary>One served image, as <c>erofs-accel list</c> shows it.</summary>
public sealed record MountInfo
{
    public string Name { get; init; } = "";
    /// <summary>"mount" or "namespace".</summary>
    public string Kind { get; init; } = "";
    public string Image { get; init; } = "";
    public List<string> Devices { get; init; } = new();
    /// <summary>Mount point, or the image's folder of the namespace.</summary>
    public string Location { get; init; } = "";
    public string Domain { get; init; } = "";
    public string Policy { get; init; } = "";
    public DateTimeOffset AttachedAt { get; init; }
    public double UptimeSeconds { get; init; }
    public long BytesServed { get; init; }
    public long Requests { get; init; }
    public long Errors { get; init; }
    /// <summary>attach, mount: how long the daemon took, from request to serving.</summary>
    public double? SetupMilliseconds { get; init; }
}
