using System.Globalization;
using System.Text;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Transport;

/// <summary>Everything needed to mount one FUSE filesystem, already validated.</summary>
internal sealed record MountParameters(
    string MountPoint,
    string Source,
    string Subtype,
    bool AllowOther,
    int MaxReadBytes,
    uint UserId,
    uint GroupId)
{
    /// <summary>fusermount3 keeps a watchdog that unmounts when the server's end of its socket closes.</summary>
    public bool AutoUnmount { get; init; } = true;

    /// <summary>Programs on the mount cannot be executed (MS_NOEXEC).</summary>
    public bool NoExec { get; init; }

    /// <summary>Flags for mount(2): always read-only, nosuid and nodev.</summary>
    public ulong KernelMountFlags => Libc.MS_RDONLY | Libc.MS_NOSUID | Libc.MS_NODEV | (NoExec ? Libc.MS_NOEXEC : 0);

    /// <summary>File system type for mount(2): "fuse.SUBTYPE" shows the subtype in the mount table.</summary>
    public string KernelFileSystemType => string.IsNullOrEmpty(Subtype) ? "fuse" : "fuse." + Subtype;

    /// <summary>The data string for mount(2), given the /dev/fuse descriptor.</summary>
    public string KernelMountData(int deviceDescriptor)
    {
        var data = new StringBuilder();
        data.Append(CultureInfo.InvariantCulture, $"fd={deviceDescriptor},rootmode=40000,user_id={UserId},group_id={GroupId}");
        data.Append(",default_permissions");
        if (AllowOther) data.Append(",allow_other");
        data.Append(CultureInfo.InvariantCulture, $",max_read={MaxReadBytes}");
        return data.ToString();
    }

    /// <summary>The -o option string for fusermount3 (it adds fd, rootmode, user_id and group_id itself).</summary>
    public string FusermountOptions()
    {
        var options = new StringBuilder("ro,nosuid,nodev,default_permissions");
        if (NoExec) options.Append(",noexec");
        if (AutoUnmount) options.Append(",auto_unmount");
        if (AllowOther) options.Append(",allow_other");
        options.Append(CultureInfo.InvariantCulture, $",max_read={MaxReadBytes}");
        if (!string.IsNullOrEmpty(Subtype)) options.Append(",subtype=").Append(EscapeOption(Subtype));
        options.Append(",fsname=").Append(EscapeOption(Source));
        return options.ToString();
    }

    /// <summary>fusermount3 splits options at commas; a backslash protects commas and backslashes inside a value.</summary>
    private static string EscapeOption(string value) => value.Replace("\\", "\\\\").Replace(",", "\\,");
}
