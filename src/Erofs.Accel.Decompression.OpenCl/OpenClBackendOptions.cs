namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>Settings of <see cref="OpenClBackend"/>. The defaults suit PoCL on a small CPU and a typical GPU.</summary>
public sealed record OpenClBackendOptions
{
    /// <summary>Use the first device whose name or platform name contains this text (case-insensitive); null = best device.</summary>
    public string? DeviceFilter { get; init; }

    /// <summary>Prefer this device type when several exist; null = GPU, then accelerator, then CPU.</summary>
    public OpenClDeviceKind? PreferredKind { get; init; }

    /// <summary>How batch items are spread over work-items (default: chosen per device).</summary>
    public OpenClKernelLayout Layout { get; init; } = OpenClKernelLayout.Auto;

    /// <summary>How batch bytes reach the device (default: chosen per device).</summary>
    public OpenClMemoryMode MemoryMode { get; init; } = OpenClMemoryMode.Auto;

    /// <summary>Batches that may be in flight at once (each owns one set of buffers and its own queue); 1..8.</summary>
    public int BatchesInFlight { get; init; } = 4;

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

    /// <summary>
    /// Work-items per work-group in the work-group-per-item layout (capped by the device). 32 is one NVIDIA warp (and
    /// half an AMD GCN wavefront): the group's barriers stay cheap and many items fit on each compute unit.
    /// </summary>
    public int GroupSize { get; init; } = 32;

    /// <summary>
    /// Largest local output ring of a work-group-per-item kernel (a power of two, 4 KiB..32 KiB; the device's local
    /// memory may allow less). Items decoding to more go through the ring in parts (tests use a small ring for that).
    /// </summary>
    public int MaxGroupRingBytes { get; init; } = 32 << 10;

    /// <summary>Host threads that copy a large batch into its slot and the decoded bytes out (default: a quarter of the cores, 1..8).</summary>
    public int HostCopyThreads { get; init; } = Math.Clamp(Environment.ProcessorCount / 4, 1, 8);

    /// <summary>
    /// Queues with profiling: every submission also records device-side stage times (launch, upload, kernels,
    /// download) in <see cref="OpenClBackend.Statistics"/>. Costs a few microseconds per submission.
    /// </summary>
    public bool ProfileStages { get; init; }

    /// <summary>
    /// Host threads the software decoders would use for a batch, for the start-up comparison (default: every core).
    /// The engine passes its own figure per batch to <see cref="OpenClBackend.IsWorthSending"/>.
    /// </summary>
    public int SoftwareThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Keep calibration results per device and host under <see cref="ProgramCacheDirectory"/> and reuse them.</summary>
    public bool UseCalibrationCache { get; init; } = true;

    /// <summary>Longest a calibration result is reused.</summary>
    public TimeSpan CalibrationCacheLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Time one batch may take on the device before the device is declared unhealthy.</summary>
    public TimeSpan BatchDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where compiled program binaries (and calibrations) are kept; null = $XDG_CACHE_HOME/erofs-accel/opencl or ~/.cache/erofs-accel/opencl.</summary>
    public string? ProgramCacheDirectory { get; init; }

    /// <summary>Keep compiled programs in <see cref="ProgramCacheDirectory"/> and reuse them (default true).</summary>
    public bool UseProgramCache { get; init; } = true;

    /// <summary>
    /// Measure, per algorithm, the fixed cost of a submission and the device's throughput against this host's
    /// software decoders at start-up (or take them from the calibration cache); the backend then takes only batches
    /// it finishes sooner than software would.
    /// </summary>
    public bool Calibrate { get; init; } = true;

    /// <summary>Minimum batch size used when calibration is off (any batch of at least this many items is taken).</summary>
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
        if (MaxGroupRingBytes is < 4096 or > 32768 || (MaxGroupRingBytes & (MaxGroupRingBytes - 1)) != 0)
            return $"MaxGroupRingBytes {MaxGroupRingBytes}: a power of two from 4096 to 32768";
        if (HostCopyThreads is < 1 or > 256) return $"HostCopyThreads {HostCopyThreads} outside 1..256";
        if (SoftwareThreads is < 1 or > 4096) return $"SoftwareThreads {SoftwareThreads} outside 1..4096";
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
