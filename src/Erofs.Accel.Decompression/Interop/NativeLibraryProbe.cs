using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Interop;

/// <summary>Checks, without throwing, that a native library loads and exports the functions a backend calls.</summary>
internal static class NativeLibraryProbe
{
    /// <summary>Tries to load <paramref name="libraryName"/> and find every export; describes the outcome.</summary>
    public static BackendAvailability Probe(string libraryName, IReadOnlyList<string> requiredExports)
    {
        if (!NativeLibrary.TryLoad(libraryName, out var handle))
            return BackendAvailability.Unavailable($"{libraryName} not found or not loadable");
        foreach (var export in requiredExports)
        {
            if (!NativeLibrary.TryGetExport(handle, export, out _))
                return BackendAvailability.Unavailable($"{libraryName} lacks {export} (too old?)");
        }
        return BackendAvailability.Available(libraryName);
    }
}
