using Erofs.Accel.Fuse.Transport;
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

    /// <summary>
    /// Let users other than the mounting one use the mount (off by default, as in FUSE; a user other than root needs
    /// user_allow_other in /etc/fuse.conf).
    /// </summary>
    public bool AllowOther { get; init; }

    /// <summary>Forbid executing programs from the mount (noexec).</summary>
    public bool NoExec { get; init; }

    /// <summary>
    /// Unmount when the server dies, even by SIGKILL, instead of leaving a dead mount point (fusermount3's watchdog,
    /// used also as root for this; default on).
    /// </summary>
    public bool AutoUnmount { get; init; } = true;

    /// <summary>
    /// Largest READ the kernel may send (the max_read option and INIT max_pages). Default: the kernel's maximum
    /// (max_pages_limit pages, 1 MiB unless raised), at most 4 MiB.
    /// </summary>
    public int MaxReadBytes { get; init; } = FuseKernelLimits.DefaultMaxReadBytes;

    /// <summary>Readahead window set in sysfs after INIT so reads arrive in large requests; 0 keeps the kernel's.</summary>
    public int ReadAheadKilobytes { get; init; } = 1024;

    /// <summary>
    /// How requests travel between the kernel and this server: <see cref="FuseTransport.Automatic"/> (the default)
    /// uses FUSE over io_uring where the kernel offers it and falls back to /dev/fuse otherwise.
    /// </summary>
    public FuseTransport Transport { get; init; } = FuseTransport.Automatic;

    /// <summary>
    /// Entries per io_uring queue (one queue per CPU): requests the kernel can hand one CPU's serving thread at once.
    /// 0 chooses: 8, fewer when reads are larger than 1 MiB (each entry holds a buffer of <see cref="MaxReadBytes"/>).
    /// </summary>
    public int IoUringQueueDepth { get; init; }

    /// <summary>
    /// Pin each io_uring thread to the CPU whose queue it serves (the request's caller runs there). Off lets the
    /// scheduler move them, which can help where other work crowds the CPUs.
    /// </summary>
    public bool PinIoUringThreads { get; init; } = true;

    /// <summary>Upper limit of /dev/fuse worker threads; workers are started on demand.</summary>
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

    /// <summary>
    /// Let the kernel choose between READDIR and READDIRPLUS (it then asks READDIRPLUS only for the first part of each
    /// listing, and LOOKUPs the rest one name at a time when they are opened). Off by default: a read-only tree whose
    /// attributes are at hand gains more from handing the kernel every node with its name (a cold walk that reads
    /// 4,000 files in 544 folders sent 405 LOOKUPs with it on, none with it off).
    /// </summary>
    public bool ReadDirPlusAuto { get; init; }

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

    /// <summary>
    /// Give each /dev/fuse worker its own clone of the connection's descriptor (FUSE_DEV_IOC_CLONE), so workers do not
    /// contend on one list of requests in processing. Off makes them share one descriptor (for comparison).
    /// </summary>
    public bool CloneDevicePerWorker { get; init; } = true;

    /// <summary>
    /// Act on <see cref="ReadReply.SuggestPrefill"/>: after answering a READ, push the bytes around it that the
    /// filesystem has at hand into the kernel's page cache (FUSE_NOTIFY_STORE, on a thread of its own), so that later
    /// reads of them need no round trip. Off: suggestions are ignored and every page costs a READ.
    /// </summary>
    public bool PrefillPageCache { get; init; } = true;

    /// <summary>Most bytes one suggestion stores before the READ's pages, and most after them.</summary>
    public int PrefillMaxBytes { get; init; } = 256 * 1024;

        /// <summary>Sees raw requests and replies (protocol recording in tests).</summary>
    internal Server.IMessageTap? Tap { get; init; }

    /// <summary>Where request failures and lifecycle events are logged.</summary>
    public ILogger? Logger { get; init; }
}

/// <summary>How requests and replies travel between the kernel and the server.</summary>
public enum FuseTransport
{
    /// <summary>FUSE over io_uring where available (root turns on the fuse module's enable_uring), else /dev/fuse.</summary>
    Automatic,
    /// <summary>FUSE over io_uring (Linux 6.14+); mounting fails when it is not available.</summary>
    IoUring,
    /// <summary>read(2) and writev(2) on /dev/fuse.</summary>
    Classic,
}

/// <summary>How the filesystem gets mounted.</summary>
public enum FuseMountMethod
{
    /// <summary>fusermount3, except as root without <see cref="FuseServerOptions.AutoUnmount"/> (then mount(2)).</summary>
    Automatic,
    /// <summary>mount(2) directly (root).</summary>
    Kernel,
    /// <summary>The fusermount3 helper (works without privileges; unmounts automatically if the server dies).</summary>
    Fusermount,
}
