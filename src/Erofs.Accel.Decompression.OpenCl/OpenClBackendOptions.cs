namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>Settings of <see cref="OpenClBackend"/>. The defaults suit PoCL on a small CPU and a typical GPU.</summary>
public sealed record OpenClBackendOptions
{
    /// <summary>Use the first device whose name or platform name contains this text (case-insensitive); null = best device.</summary>
    public string? DeviceFilter { get; init; }

    /// <summary>Prefer this device type when several exist; null = GPU, then accelerator, then CPU.</summary>
    public OpenClDeviceKind? PreferredKind { get; init; }

    public OpenClKernelLayout Layout { get; init; } = OpenClKernelLayout.Auto;

    public OpenClMemoryMode MemoryMode { get; init; } = OpenClMemoryMode.Auto;

    /// <summary>Batches that may be in flight at once (each owns one set of buffers); 2..4.</summary>
    public int BatchesInFlight { get; init; } = 3;

    /// <summary>Items one in-flight batch holds at most; bigger requests are split over several.</summary>
    public int MaxItemsPerBatch { get; init; } = 2048;

    /// <summary>Compressed bytes one in-flight batch holds at most.</summary>
    public int InputBytesPerBatch { get; init; } = 16 << 20;

    /// <summary>Decoded bytes one in-flight batch holds at most.</summary>
    public int OutputBytesPerBatch { get; init; } = 32 << 20;

    /// <summary>
    /// Batches of at least twice this many items are spread over the in-flight slots (at least this many items per
    /// slot) so that host copies overlap device work; 0 = fill each slot to capacity.
    /// </summary>
    public int MinItemsPerSubmission { get; init; } = 256;

    /// <summary>Work-items per work-group in the work-item-per-item layout.</summary>
    public int ItemsPerWorkGroup { get; init; } = 1;

    /// <summary>Work-items per work-group in the work-group-per-item layout (capped by the device).</summary>
    public int GroupSize { get; init; } = 64;

    /// <summary>Time one batch may take on the device before the device is declared unhealthy.</summary>
    public TimeSpan BatchDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where compiled program binaries are kept; null = $XDG_CACHE_HOME/erofs-accel/opencl or ~/.cache/erofs-accel/opencl.</summary>
    public string? ProgramCacheDirectory { get; init; }

    public bool UseProgramCache { get; init; } = true;

    /// <summary>Measure fixed and per-byte cost against software at start-up to set MinimumBatchSize.</summary>
    public bool Calibrate { get; init; } = true;

    /// <summary>Minimum batch size used when calibration is off.</summary>
    public int DefaultMinimumBatchSize { get; init; } = 64;

    /// <summary>Typical decoded size of one pcluster, used to turn per-byte costs into a batch size.</summary>
    public int TypicalItemBytes { get; init; } = 16 << 10;

    /// <summary>
    /// Testing: bytes of a fixed pattern placed before and after every item's output range inside the device output
    /// buffer and checked after each batch (a damaged guard fails the item and counts in GuardViolations). 0 = off.
    /// </summary>
    public int DebugGuardBytes { get; init; }

    /// <summary>Extra options for clBuildProgram (testing and tuning).</summary>
    public string? ExtraBuildOptions { get; init; }

    /// <summary>Checks the numbers; returns a problem or null.</summary>
    public string? Validate()
    {
        if (BatchesInFlight is < 1 or > 8) return $"BatchesInFlight {BatchesInFlight} outside 1..8";
        if (MaxItemsPerBatch is < 1 or > 1 << 20) return $"MaxItemsPerBatch {MaxItemsPerBatch} outside 1..1048576";
        if (InputBytesPerBatch < 4096) return "InputBytesPerBatch below 4096";
        if (OutputBytesPerBatch < 4096) return "OutputBytesPerBatch below 4096";
        if (MinItemsPerSubmission < 0) return "MinItemsPerSubmission must not be negative";
        if (ItemsPerWorkGroup is < 1 or > 1024) return $"ItemsPerWorkGroup {ItemsPerWorkGroup} outside 1..1024";
        if (GroupSize is < 1 or > 1024) return $"GroupSize {GroupSize} outside 1..1024";
        if (BatchDeadline <= TimeSpan.Zero) return "BatchDeadline must be positive";
        if (DebugGuardBytes is < 0 or > 4096) return $"DebugGuardBytes {DebugGuardBytes} outside 0..4096";
        if (TypicalItemBytes <= 0) return "TypicalItemBytes must be positive";
        return null;
    }

    /// <summary>Environment variable: a fixed minimum batch size (skips the start-up calibration).</summary>
    public const string MinimumBatchVariable = "EROFS_ACCEL_OPENCL_MIN_BATCH";

    /// <summary>Environment variable: use the first device whose name or platform contains this text.</summary>
    public const string DeviceVariable = "EROFS_ACCEL_OPENCL_DEVICE";

    /// <summary>Defaults, adjusted by $EROFS_ACCEL_OPENCL_MIN_BATCH and $EROFS_ACCEL_OPENCL_DEVICE when set.</summary>
    public static OpenClBackendOptions FromEnvironment()
    {
        var options = new OpenClBackendOptions();
        if (Environment.GetEnvironmentVariable(DeviceVariable) is { Length: > 0 } device)
            options = options with { DeviceFilter = device };
        if (Environment.GetEnvironmentVariable(MinimumBatchVariable) is { Length: > 0 } text)
        {
            if (!int.TryParse(text, out int n) || n < 2)
                throw new FormatException($"{MinimumBatchVariable}: expected a whole number of at least 2, not '{text}'");
            options = options with { Calibrate = false, DefaultMinimumBatchSize = n };
        }
        return options;
    }
}
