using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Fuse;

/// <summary>How to mount, which protocol features to use, and how the server behaves.</summary>
public sealed class FuseServerOptions
{
    /// <summary>Directory to mount on. It must exist and must not already be a mount point.</summary>
    public required string MountPoint { get; init; }

    /// <summary>Shown as the mount's source in the mount table (e.g. the image path).</summary>
    public string Source { get; init; } = "erofs-accel";

    /// <summary>Shown as the type "fuse.SUBTYPE" in the mount table.</summary>
    public string Subtype { get; init; } = "erofs-accel";

    /// <summary>Let users other than the mounting one use the mount (needs root, or user_allow_other in /etc/fuse.conf).</summary>
    public bool AllowOther { get; init; } = true;

    /// <summary>Largest READ the kernel may send (the max_read option and INIT max_pages).</summary>
    public int MaxReadBytes { get; init; } = 1 << 20;

    /// <summary>Readahead window set in sysfs after INIT so reads arrive in large requests; 0 keeps the kernel's.</summary>
    public int ReadAheadKilobytes { get; init; } = 1024;

    /// <summary>Upper limit of worker threads; workers are started on demand.</summary>
    public int MaxWorkers { get; init; } = 16;

    /// <summary>Idle workers beyond this many end.</summary>
    public int MaxIdleWorkers { get; init; } = 4;

    /// <summary>Background requests (async reads, readahead) the kernel keeps in flight.</summary>
    public int MaxBackgroundRequests { get; init; } = 64;

    /// <summary>How long the kernel may cache a name. The image never changes, so long.</summary>
    public TimeSpan EntryTimeout { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How long the kernel may cache attributes.</summary>
    public TimeSpan AttributeTimeout { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How long the kernel may remember that a name does not exist; zero disables negative caching.</summary>
    public TimeSpan NegativeLookupTimeout { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Use READDIRPLUS (entries come with attributes).</summary>
    public bool ReadDirPlus { get; init; } = true;

    /// <summary>Let the kernel choose between READDIR and READDIRPLUS.</summary>
    public bool ReadDirPlusAuto { get; init; } = true;

    /// <summary>Answer OPEN/OPENDIR with ENOSYS when the kernel supports it, so it stops sending them.</summary>
    public bool ZeroMessageOpen { get; init; } = true;

    /// <summary>
    /// Let the kernel enforce POSIX ACLs (FUSE_POSIX_ACL): with default_permissions it checks the ACL it reads through
    /// GETXATTR of system.posix_acl_access (and system.posix_acl_default), so the filesystem must answer those names
    /// with values in the POSIX ACL xattr format, or ENODATA. Off: only the mode bits are checked.
    /// </summary>
    public bool PosixAcl { get; init; } = true;

    /// <summary>
    /// Give up privileges once the mount serves (null: keep them): see <see cref="SandboxSettings"/>. The server then
    /// cannot unmount by itself, so it mounts through fusermount3 even as root and unmounts by closing the socket of
    /// that helper, whose auto_unmount detaches the mount; <see cref="FuseMountMethod.Kernel"/> is refused with it.
    /// </summary>
    public SandboxSettings? Sandbox { get; init; }

    /// <summary>How to mount: mount(2) as root, fusermount3 otherwise (or forced either way).</summary>
    public FuseMountMethod MountMethod { get; init; } = FuseMountMethod.Automatic;

    /// <summary>How long <see cref="FuseServer.Unmount"/> waits for the kernel to end the session before aborting it.</summary>
    public TimeSpan UnmountGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Sees raw requests and replies (protocol recording in tests).</summary>
    internal Server.IMessageTap? Tap { get; init; }

    /// <summary>Where request failures and lifecycle events are logged.</summary>
    public ILogger? Logger { get; init; }
}

/// <summary>How the filesystem gets mounted.</summary>
public enum FuseMountMethod
{
    /// <summary>mount(2) when running as root, fusermount3 otherwise.</summary>
    Automatic,
    /// <summary>mount(2) directly (root).</summary>
    Kernel,
    /// <summary>The fusermount3 helper (works without privileges; unmounts automatically if the server dies).</summary>
    Fusermount,
}
