using System.Runtime.InteropServices;

namespace Erofs.Accel.Interop;

/// <summary>Who this process runs as.</summary>
internal static partial class Libc
{
    [LibraryImport(LibraryName, EntryPoint = "getuid")]
    public static partial uint GetUserId();

    [LibraryImport(LibraryName, EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport(LibraryName, EntryPoint = "getgid")]
    public static partial uint GetGroupId();
}
