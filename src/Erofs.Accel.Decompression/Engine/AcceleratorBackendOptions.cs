namespace Erofs.Accel.Decompression.Engine;

/// <summary>Settings shared by the accelerator backends that run through a native shim (QPL, QAT).</summary>
public record AcceleratorBackendOptions
{
    /// <summary>Hardware (default) or the library's CPU path for testing without a device.</summary>
    public AcceleratorPath Path { get; init; } = AcceleratorPath.Hardware;

    /// <summary>Jobs (sessions) the shim keeps; also how many decodes the engine runs at once on this backend.</summary>
    public int PoolSize { get; init; } = Math.Clamp(Environment.ProcessorCount, 2, 16);

    /// <summary>Largest decoded length (DecodedLength) sent to the device; longer pclusters go to software.</summary>
    public int MaxDecodedLength { get; init; } = 8 << 20;

    /// <summary>
    /// Let the backend take partial decodes (the stream goes on past DecodedLength). Off by default: only tested on
    /// QPL's software path, and the engine cannot check a device's prefix beyond its length.
    /// </summary>
    public bool AllowPartialDecodes { get; init; }

    /// <summary>Folders searched first for the shim (before $EROFS_ACCEL_NATIVE_DIR and the defaults).</summary>
    public IReadOnlyList<string>? NativeDirectories { get; init; }

    /// <summary>Checks the numbers; returns a problem or null.</summary>
    public virtual string? Validate()
    {
        if (!Enum.IsDefined(Path)) return $"unknown path {(int)Path}";
        if (PoolSize is < 1 or > 256) return $"PoolSize {PoolSize} outside 1..256";
        if (MaxDecodedLength < 1) return "MaxDecodedLength must be positive";
        return null;
    }

    /// <summary>Parses "hardware"/"hw" or "software"/"sw" (case-insensitive).</summary>
    public static bool TryParsePath(string? text, out AcceleratorPath path)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "hardware" or "hw":
                path = AcceleratorPath.Hardware;
                return true;
            case "software" or "sw":
                path = AcceleratorPath.Software;
                return true;
            default:
                path = AcceleratorPath.Hardware;
                return false;
        }
    }
}
