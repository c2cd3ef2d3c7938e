using Erofs.Accel.Service.Metrics;

namespace Erofs.Accel.Service.Control;

/// <summary>The verbs of the control protocol (see docs/service.md).</summary>
public static class ControlOperations
{
    /// <summary>Greet the daemon and learn its version and policy.</summary>
    public const string Hello = "hello";
    /// <summary>Serve an image as a folder of the shared namespace.</summary>
    public const string Attach = "attach";
    /// <summary>Stop serving an attached image.</summary>
    public const string Detach = "detach";
    /// <summary>Mount an image at a mount point of its own, served by the daemon.</summary>
    public const string Mount = "mount";
    /// <summary>Unmount an image the daemon mounted.</summary>
    public const string Unmount = "umount";
    /// <summary>List the served images.</summary>
    public const string List = "list";
    /// <summary>Statistics of the daemon, its images, backends and cache.</summary>
    public const string Stats = "stats";

    /// <summary>Verbs that change what the daemon serves (root or the daemon's own user only).</summary>
    public static bool Changes(string op) => op is Attach or Detach or Mount or Unmount;

    /// <summary>True for a verb of this protocol version.</summary>
    public static bool IsKnown(string op) => op is Hello or Attach or Detach or Mount or Unmount or List or Stats;
}

/// <summary>One request. Fields a verb does not use are left out.</summary>
public sealed record ControlRequest
{
    /// <summary>Protocol version of the client.</summary>
    public int Version { get; init; } = ControlProtocol.Version;
    /// <summary>The verb (<see cref="ControlOperations"/>).</summary>
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
    /// <summary>Protocol version of the daemon.</summary>
    public int Version { get; init; } = ControlProtocol.Version;
    /// <summary>True when the request was carried out.</summary>
    public bool Ok { get; init; }
    /// <summary>Why the request failed, in one line; null on success.</summary>
    public string? Error { get; init; }
    /// <summary>Class of the failure (<see cref="ControlErrorKinds"/>), for clients to choose an exit code.</summary>
    public string? ErrorKind { get; init; }
    /// <summary>A line for the user on success.</summary>
    public string? Message { get; init; }
    /// <summary>hello: who answers.</summary>
    public DaemonInfo? Daemon { get; init; }
    /// <summary>list: every served image; attach, mount: the new one.</summary>
    public List<MountInfo>? Mounts { get; init; }
    /// <summary>stats: everything the daemon counts.</summary>
    public ServiceStatistics? Stats { get; init; }

    /// <summary>A failed answer of class <paramref name="kind"/> with a one-line <paramref name="error"/>.</summary>
    public static ControlResponse Failed(string kind, string error) => new() { Ok = false, ErrorKind = kind, Error = error };
}

/// <summary>Who answers: for hello, and for clients to check versions.</summary>
public sealed record DaemonInfo
{
    /// <summary>Process id of the daemon.</summary>
    public int Pid { get; init; }
    /// <summary>Version of the daemon's build.</summary>
    public string Version { get; init; } = "";
    /// <summary>Control protocol version the daemon speaks.</summary>
    public int ProtocolVersion { get; init; }
    /// <summary>The engine's acceleration policy ("auto", "software" or the list).</summary>
    public string Policy { get; init; } = "";
    /// <summary>Folder of the shared namespace, or null when the daemon serves none.</summary>
    public string? NamespaceRoot { get; init; }
    /// <summary>When the daemon started.</summary>
    public DateTimeOffset StartedAt { get; init; }
}

/// <summary>One served image, as <c>erofs-accel list</c> shows it.</summary>
public sealed record MountInfo
{
    /// <summary>The image's name (its folder in the namespace; the handle for detach and umount).</summary>
    public string Name { get; init; } = "";
    /// <summary>"mount" or "namespace".</summary>
    public string Kind { get; init; } = "";
    /// <summary>Absolute path of the image file.</summary>
    public string Image { get; init; } = "";
    /// <summary>Its extra devices, in device-table order.</summary>
    public List<string> Devices { get; init; } = new();
    /// <summary>Mount point, or the image's folder of the namespace.</summary>
    public string Location { get; init; } = "";
    /// <summary>Content-sharing domain the image belongs to.</summary>
    public string Domain { get; init; } = "";
    /// <summary>The engine's acceleration policy serving it.</summary>
    public string Policy { get; init; } = "";
    /// <summary>When the daemon began serving it.</summary>
    public DateTimeOffset AttachedAt { get; init; }
    /// <summary>Seconds since it was attached.</summary>
    public double UptimeSeconds { get; init; }
    /// <summary>File bytes read from it through FUSE.</summary>
    public long BytesServed { get; init; }
    /// <summary>FUSE requests answered.</summary>
    public long Requests { get; init; }
    /// <summary>Requests answered with EIO.</summary>
    public long Errors { get; init; }
    /// <summary>attach, mount: how long the daemon took, from request to serving.</summary>
    public double? SetupMilliseconds { get; init; }
}
