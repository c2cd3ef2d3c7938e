using System.Globalization;

namespace Erofs.Accel.Fuse;

/// <summary>
/// Who made a request, as the kernel states it in the request header: the calling thread's filesystem user and group
/// ids and its thread id in the server's pid namespace (0 when the caller cannot be named there, and for requests the
/// kernel makes on its own). Only requests whose answer depends on the caller carry it to the filesystem.
/// </summary>
public readonly record struct RequestCaller(uint UserId, uint GroupId, uint ProcessId)
{
    /// <summary>CAP_SYS_ADMIN, the capability the kernel asks for before it lists trusted.* extended attributes.</summary>
    public const int SystemAdministratorCapability = 21;

    /// <summary>
    /// Whether the caller holds <paramref name="capability"/> in its effective set in the initial user namespace, the
    /// question the kernel's capable() answers for the calling thread. Read from /proc/PID/status (CapEff) and
    /// /proc/PID/uid_map (the identity map of the initial namespace); both are readable by any user. False when the
    /// caller is gone, unnamed (pid 0), or /proc cannot tell: whatever depends on it then stays hidden. The caller is
    /// blocked in its system call while its request is served, so its thread id cannot be reused meanwhile. A process
    /// in a child user namespace that root gave the full identity map looks like the initial namespace here.
    /// </summary>
    public bool HasCapability(int capability)
    {
        if (ProcessId == 0 || capability is < 0 or > 63) return false;
        try
        {
            var proc = "/proc/" + ProcessId.ToString(CultureInfo.InvariantCulture);
            return ParseEffectiveCapabilities(File.ReadAllText(proc + "/status")) is { } effective
                && (effective & (1UL << capability)) != 0
                && IsInitialUserNamespaceMap(File.ReadAllText(proc + "/uid_map"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The CapEff mask of a /proc/PID/status text, or null when it has none.</summary>
    internal static ulong? ParseEffectiveCapabilities(string status)
    {
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("CapEff:")) continue;
            return ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var mask)
                ? mask : null;
        }
        return null;
    }

    /// <summary>Whether a uid_map text is the initial user namespace's single identity range of every id.</summary>
    internal static bool IsInitialUserNamespaceMap(string uidMap)
    {
        var fields = uidMap.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return fields is ["0", "0", "4294967295"];
    }
}
