using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// Batch decoder of raw LZ4 blocks and raw DEFLATE streams on an OpenCL device (a GPU in production, PoCL on the
/// CPU in CI). A submission pays a fixed cost, so the engine sends a batch here only when
/// <see cref="IsWorthSending"/> says the device finishes it sooner than the host's software decoders would (from
/// the per-algorithm start-up calibration); every item that does not come back <see cref="DecodeStatus.Done"/> is
/// decoded again in software by the engine.
/// </summary>
public sealed class OpenClBackend : IBatchDecompressionBackend, IDisposable
{
    /// <summary>The name the engine, the CLI and reports use for this backend.</summary>
    public const string BackendName = "opencl";

    private static readonly CompressionAlgorithm[] SupportedAlgorithms = [CompressionAlgorithm.Lz4, CompressionAlgorithm.Deflate];

    private readonly OpenClDeviceRuntime? runtime;
    private readonly OpenClBatchRunner? runner;
    private readonly string? unavailableReason;
    private volatile IReadOnlyDictionary<CompressionAlgorithm, OpenClCalibration> calibrations =
        new Dictionary<CompressionAlgorithm, OpenClCalibration>();
    private readonly Func<DecompressionRequest, bool> accepts;
    private readonly OpenClBackendOptions options;
    private int minimumBatchSize = int.MaxValue;
    private OpenClStatistics uncounted;   // the warm-up's and calibrations' share of the runner's counters

    /// <inheritdoc/>
    public string Name => BackendName;
    /// <inheritdoc/>
    public BackendKind Kind => BackendKind.OpenCl;
    /// <inheritdoc/>
    public IReadOnlyCollection<CompressionAlgorithm> Algorithms => SupportedAlgorithms;

    /// <summary>The device in use, or null when the backend is unavailable.</summary>
    public OpenClDeviceInfo? Device => runtime?.Info;

    /// <summary>How batch items are spread over work-items (resolved from the options' choice).</summary>
    public OpenClKernelLayout Layout { get; }
    /// <summary>How batch bytes reach the device (resolved from the options' choice).</summary>
    public OpenClMemoryMode MemoryMode { get; }

    /// <summary>Work-items per work-group the kernels run with.</summary>
    public int LocalSize { get; }

    /// <summary>"compiled" or "binary cache".</summary>
    public string? ProgramOrigin => runtime?.ProgramOrigin;

    /// <summary>Time spent compiling the program or loading it from the binary cache.</summary>
    public TimeSpan ProgramBuildTime => runtime?.BuildTime ?? TimeSpan.Zero;
    /// <summary>Time the warm-up batch took when the backend was created.</summary>
    public TimeSpan WarmUpTime { get; }

    /// <summary>Calibration results per algorithm (empty when calibration was off).</summary>
    public IReadOnlyDictionary<CompressionAlgorithm, OpenClCalibration> Calibrations => calibrations;

    /// <summary>Time the start-up calibration took (zero when it came from the cache or was off).</summary>
    public TimeSpan CalibrationTime { get; private set; }

    /// <summary>Largest local output ring of the group kernels (log2; 0 in the work-item-per-item layout).</summary>
    public int MaxRingBits { get; }

    /// <summary>Largest compressed item one batch slot takes.</summary>
    public int MaxItemInputBytes => runner?.MaxItemInput ?? 0;

    /// <summary>Largest decoded item one batch slot takes.</summary>
    public int MaxItemOutputBytes => runner?.MaxItemOutput ?? 0;

    /// <summary>Guard regions found damaged after a batch (only with DebugGuardBytes; must stay 0).</summary>
    public long GuardViolations => runner?.GuardViolations ?? 0;

    /// <summary>Batches handed to the device so far.</summary>
    public long BatchesSubmitted => runner?.BatchesSubmitted ?? 0;

    /// <summary>
    /// Where the time went, per stage (see <see cref="OpenClStatistics"/>), for the batches this backend was given:
    /// its own warm-up and calibration batches are not counted.
    /// </summary>
    public OpenClStatistics Statistics => runner is null ? default : runner.Statistics.Since(uncounted);

    /// <summary>True while a device is in use and no batch has failed it.</summary>
    public bool IsHealthy => runner is not null && runner.UnhealthyReason is null;

    /// <summary>
    /// Smallest batch of typical items (<see cref="OpenClBackendOptions.TypicalItemBytes"/>) worth sending for the
    /// algorithm that pays soonest, against every core in software (int.MaxValue = never).
    /// </summary>
    public int MinimumBatchSize => IsHealthy ? minimumBatchSize : int.MaxValue;

    /// <summary>Smallest worthwhile batch of typical items for one algorithm (int.MaxValue = never).</summary>
    public int MinimumBatchSizeFor(CompressionAlgorithm algorithm) =>
        !IsHealthy ? int.MaxValue
        : calibrations.TryGetValue(algorithm, out var c) ? c.BreakEvenBatchSize(options.SoftwareThreads)
        : minimumBatchSize;

    /// <summary>
    /// True when the device finishes this submission sooner than software on <paramref name="softwareThreads"/>
    /// threads, by the calibrated cost model: one fixed cost (the largest of the algorithms present) plus each item's
    /// bytes at its algorithm's device cost, against the same bytes at the software cost spread over
    /// min(threads, items). Without calibration: at least <see cref="OpenClBackendOptions.DefaultMinimumBatchSize"/>
    /// items. Never for an unhealthy device, a single item, or an algorithm the backend does not decode.
    /// </summary>
    public bool IsWorthSending(ReadOnlySpan<DecompressionRequest> submission, int softwareThreads)
    {
        if (!IsHealthy || submission.Length < 2) return false;
        var c = calibrations;
        if (c.Count == 0) return submission.Length >= minimumBatchSize;
        double fixedNs = 0, deviceNs = 0, softwareNs = 0;
        foreach (ref readonly var r in submission)
        {
            if (!c.TryGetValue(r.Parameters.Algorithm, out var k)) return false;
            long bytes = r.Parameters.DecodedLength;
            fixedNs = Math.Max(fixedNs, k.FixedCostMicroseconds * 1000);
            deviceNs += bytes * k.OpenClNanosecondsPerByte;
            softwareNs += bytes * k.SoftwareNanosecondsPerByte;
        }
        return fixedNs + deviceNs < softwareNs / Math.Max(1, Math.Min(softwareThreads, submission.Length));
    }

    /// <summary>Items of <paramref name="itemBytes"/> decoded bytes that fill every slot at once.</summary>
    internal int BatchCapacityItems(int itemBytes) =>
        runner is null ? 0 : options.BatchesInFlight * Math.Min(options.MaxItemsPerBatch, options.OutputBytesPerBatch / Math.Max(1, itemBytes + options.DebugGuardBytes));

    /// <inheritdoc/>
    public BackendAvailability Availability
    {
        get
        {
            if (runtime is null || runner is null) return BackendAvailability.Unavailable(unavailableReason ?? "not initialised");
            if (runner.UnhealthyReason is { } why) return BackendAvailability.Unavailable("unhealthy: " + why);
            var c = calibrations;
            string cost = c.Count == 0
                ? $"not calibrated, min batch {(minimumBatchSize == int.MaxValue ? "never" : minimumBatchSize.ToString())}"
                : string.Join("; ", c.Values.OrderBy(v => v.Algorithm).Select(v => v.ToString()));
            return BackendAvailability.Available(
                $"{runtime.Info.DeviceName} ({runtime.Info.Kind}, {runtime.Info.ComputeUnits} CU) on {runtime.Info.PlatformName}, " +
                $"{Layout}{(MaxRingBits > 0 ? $" (ring up to {1 << (MaxRingBits - 10)} KiB)" : "")}, {MemoryMode}, " +
                $"{options.BatchesInFlight} slots, program {runtime.ProgramOrigin}; {cost}");
        }
    }

    private OpenClBackend(string reason)
    {
        unavailableReason = reason;
        accepts = _ => false;
        options = new OpenClBackendOptions();
    }

    private OpenClBackend(OpenClDeviceRuntime runtime, OpenClBatchRunner runner, OpenClKernelLayout layout, OpenClMemoryMode memoryMode,
        int localSize, int maxRingBits, OpenClBackendOptions options)
    {
        this.runtime = runtime;
        this.runner = runner;
        this.options = options;
        Layout = layout;
        MemoryMode = memoryMode;
        LocalSize = localSize;
        MaxRingBits = maxRingBits;
        accepts = Accepts;
        minimumBatchSize = Math.Max(2, options.DefaultMinimumBatchSize);
        long start = Stopwatch.GetTimestamp();
        WarmUp();
        WarmUpTime = Stopwatch.GetElapsedTime(start);
        uncounted = runner.Statistics;
        if (options.Calibrate) CalibrateOrLoad();
    }

    /// <summary>Creates the backend; on failure <paramref name="reason"/> says why (no ICD, no platform, build failure...).</summary>
    public static bool TryCreate(OpenClBackendOptions? options, [NotNullWhen(true)] out OpenClBackend? backend, out string reason)
    {
        var b = Create(options);
        if (b.Availability.IsAvailable)
        {
            backend = b;
            reason = b.Availability.Detail;
            return true;
        }
        reason = b.Availability.Detail;
        b.Dispose();
        backend = null;
        return false;
    }

    /// <summary>Creates the backend; never throws: a failure gives an instance whose Availability explains it.</summary>
    public static OpenClBackend Create(OpenClBackendOptions? options = null)
    {
        options ??= new OpenClBackendOptions();
        if (options.Validate() is { } bad) return new OpenClBackend("invalid options: " + bad);
        var devices = OpenClDiscovery.DiscoverWithIds(out var problem);
        if (devices.Count == 0) return new OpenClBackend(problem ?? "no OpenCL device");
        var candidates = devices
            .Where(d => options.DeviceFilter is null
                        || d.Info.DeviceName.Contains(options.DeviceFilter, StringComparison.OrdinalIgnoreCase)
                        || d.Info.PlatformName.Contains(options.DeviceFilter, StringComparison.OrdinalIgnoreCase))
            .Where(d => d.Info.Available && d.Info.CompilerAvailable && d.Info.LittleEndian)
            .OrderBy(d => Rank(d.Info.Kind, options.PreferredKind))
            .ToList();
        if (candidates.Count == 0)
            return new OpenClBackend(options.DeviceFilter is null
                ? "no usable OpenCL device (needs available, little-endian, with a compiler): " + string.Join("; ", devices.Select(d => d.Info.DeviceName))
                : $"no usable OpenCL device matches '{options.DeviceFilter}'");
        var (info, platform, device) = candidates[0];

        OpenClDeviceRuntime runtime;
        try
        {
            runtime = OpenClDeviceRuntime.Create(info, platform, device, options);
        }
        catch (OpenClException e) when (e.Call == "clBuildProgram")
        {
            return new OpenClBackend($"kernel build failed on {info.DeviceName} (PoCL needs clang at run time): {e.Message}");
        }
        catch (OpenClException e)
        {
            return new OpenClBackend($"OpenCL set-up failed on {info.DeviceName}: {e.Message}");
        }

        // the group kernels keep a ring of at least 4 KiB of output in local memory; a device without room runs one
        // work-item per item instead
        int maxRingBits = Math.Min(MaxRingBitsFor(info.LocalMemoryBytes), System.Numerics.BitOperations.Log2((uint)options.MaxGroupRingBytes));
        var layout = options.Layout != OpenClKernelLayout.Auto ? options.Layout
            : info.Kind == OpenClDeviceKind.Cpu || maxRingBits == 0 ? OpenClKernelLayout.WorkItemPerItem : OpenClKernelLayout.WorkGroupPerItem;
        if (layout == OpenClKernelLayout.WorkGroupPerItem && maxRingBits == 0)
        {
            runtime.Dispose();
            return new OpenClBackend($"{info.DeviceName} has {info.LocalMemoryBytes >> 10} KiB of local memory: too little for the work-group-per-item kernels");
        }
        if (layout != OpenClKernelLayout.WorkGroupPerItem) maxRingBits = 0;
        var memory = options.MemoryMode != OpenClMemoryMode.Auto ? options.MemoryMode
            : info.Kind == OpenClDeviceKind.Cpu || info.HostUnifiedMemory ? OpenClMemoryMode.ZeroCopy : OpenClMemoryMode.PinnedStaging;
        OpenClBatchRunner? runner = null;
        try
        {
            int local = LocalSizeFor(runtime, layout, options);
            runner = new OpenClBatchRunner(runtime, options, memory == OpenClMemoryMode.ZeroCopy,
                layout == OpenClKernelLayout.WorkGroupPerItem, local, maxRingBits, BackendName);
            return new OpenClBackend(runtime, runner, layout, memory, local, maxRingBits, options);
        }
        catch (Exception e) when (e is OpenClException or InvalidOperationException or TimeoutException or OutOfMemoryException)
        {
            runner?.Dispose();
            runtime.Dispose();
            return new OpenClBackend($"OpenCL start-up failed on {info.DeviceName}: {e.Message}");
        }
    }

    /// <inheritdoc/>
    public bool Supports(in DecodeParameters parameters, int sourceLength) =>
        runner is not null
        && parameters.Algorithm is CompressionAlgorithm.Lz4 or CompressionAlgorithm.Deflate
        && parameters.IsValidFor(sourceLength, parameters.OutputLength, out _)
        && sourceLength <= runner.MaxItemInput
        && parameters.DecodedLength <= runner.MaxItemOutput;

    /// <inheritdoc/>
    public DecodeStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters, out int bytesWritten)
    {
        bytesWritten = 0;
        if (runner is null) return DecodeStatus.BackendFailure;
        if (!Supports(parameters, source.Length) || !parameters.IsValidFor(source.Length, destination.Length, out _))
            return DecodeStatus.Unsupported;
        return runner.RunOne(source, destination, parameters, out bytesWritten);
    }

    /// <inheritdoc/>
    public async ValueTask DecodeBatchAsync(ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results,
        CancellationToken cancellationToken = default)
    {
        if (results.Length < batch.Length) throw new ArgumentException("results shorter than batch", nameof(results));
        if (runner is null)
        {
            for (int i = 0; i < batch.Length; i++)
                results.Span[i] = new(DecodeStatus.BackendFailure, 0, BackendName, FallbackReason.BackendUnavailable);
            return;
        }
        await runner.RunAsync(batch, results, accepts, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Measures both algorithms again (no cache) with items of <paramref name="itemBytes"/> decoded bytes.</summary>
    public void Calibrate(int itemBytes)
    {
        if (runner is null) return;
        long start = Stopwatch.GetTimestamp();
        var counted = Statistics;
        var measured = new Dictionary<CompressionAlgorithm, OpenClCalibration>();
        foreach (var algorithm in SupportedAlgorithms)
            measured[algorithm] = OpenClCalibrator.Measure(this, algorithm, itemBytes, options.SoftwareThreads);
        uncounted = runner.Statistics.Since(counted);
        CalibrationTime = Stopwatch.GetElapsedTime(start);
        Use(measured);
    }

    /// <summary>Start-up: the cached calibration of this device and host when there is one, else measured (and cached).</summary>
    private void CalibrateOrLoad()
    {
        var cache = options.UseCalibrationCache
            ? new OpenClCalibrationCache(options.ProgramCacheDirectory ?? OpenClProgramCache.DefaultDirectory(), options.CalibrationCacheLifetime)
            : null;
        string? key = cache is null ? null : OpenClCalibrationCache.Key(runtime!.Info, runtime.ProgramKey,
            $"{Layout} {MemoryMode} {LocalSize} {MaxRingBits} {options.BatchesInFlight} {options.MaxItemsPerBatch} " +
            $"{options.InputBytesPerBatch} {options.OutputBytesPerBatch} {options.TypicalItemBytes} {options.SoftwareThreads} " +
            $"{options.HostCopyThreads} {options.DebugGuardBytes} {options.MaxGroupRingBytes}");
        if (key is not null && cache!.TryLoad(key) is { } cached && SupportedAlgorithms.All(cached.ContainsKey))
        {
            Use(cached);
            return;
        }
        Calibrate(options.TypicalItemBytes);
        if (key is not null) cache!.Store(key, calibrations.Values);
    }

    private void Use(IReadOnlyDictionary<CompressionAlgorithm, OpenClCalibration> measured)
    {
        calibrations = measured;
        minimumBatchSize = measured.Values.Min(c => c.BreakEvenBatchSize(options.SoftwareThreads));
    }

    /// <summary>Largest power-of-two ring (log2, at most 32 KiB) that fits local memory beside the kernels' own; 0 when none does.</summary>
    internal static int MaxRingBitsFor(long localMemoryBytes)
    {
        long room = localMemoryBytes - OpenClKernelSource.GroupStaticLocalBytes;
        int bits = 0;
        for (int b = OpenClBatchSlot.MinRingBits; b <= 15 && (1L << b) <= room; b++) bits = b;
        return bits;
    }

    /// <summary>Test hook: the batch runner (raw descriptors).</summary>
    internal OpenClBatchRunner? Runner => runner;

    /// <summary>Test hook: declares the device unhealthy as a missed deadline would.</summary>
    internal void MarkUnhealthy(string reason) => runner?.MarkUnhealthy(reason);

    private bool Accepts(DecompressionRequest request) =>
        Supports(request.Parameters, request.Source.Length)
        && request.Parameters.IsValidFor(request.Source.Length, request.Destination.Length, out _);

    /// <summary>Runs one item of each algorithm so that lazy compilation (PoCL builds per work-group size) happens now.</summary>
    private void WarmUp()
    {
        var requests = new DecompressionRequest[SupportedAlgorithms.Length];
        var expected = new byte[SupportedAlgorithms.Length][];
        for (int i = 0; i < SupportedAlgorithms.Length; i++)
        {
            expected[i] = OpenClSampleData.Text(8192, 7 + i);
            var packed = OpenClSampleData.Compress(SupportedAlgorithms[i], expected[i]);
            requests[i] = new DecompressionRequest(packed, new byte[expected[i].Length],
                new DecodeParameters { Algorithm = SupportedAlgorithms[i], DecodedLength = expected[i].Length });
        }
        var results = new DecompressionResult[requests.Length];
        DecodeBatchAsync(requests, results).AsTask().GetAwaiter().GetResult();
        for (int i = 0; i < requests.Length; i++)
        {
            if (results[i].Status != DecodeStatus.Done || !requests[i].Destination.Span.SequenceEqual(expected[i]))
                throw new InvalidOperationException($"warm-up {SupportedAlgorithms[i]} item came back {results[i].Status} or differs from the original");
        }
    }

    private static int Rank(OpenClDeviceKind kind, OpenClDeviceKind? preferred)
    {
        if (preferred == kind) return 0;
        return kind switch
        {
            OpenClDeviceKind.Gpu => 1,
            OpenClDeviceKind.Accelerator => 2,
            OpenClDeviceKind.Cpu => 3,
            _ => 4,
        };
    }

    private static int LocalSizeFor(OpenClDeviceRuntime runtime, OpenClKernelLayout layout, OpenClBackendOptions options)
    {
        bool group = layout == OpenClKernelLayout.WorkGroupPerItem;
        int wanted = group ? options.GroupSize : options.ItemsPerWorkGroup;
        using var lz4 = runtime.CreateKernel(group ? OpenClKernelSource.Lz4Groups : OpenClKernelSource.Lz4Items);
        using var deflate = runtime.CreateKernel(group ? OpenClKernelSource.DeflateGroups : OpenClKernelSource.DeflateItems);
        int limit = Math.Min(runtime.KernelMaxWorkGroupSize(lz4), runtime.KernelMaxWorkGroupSize(deflate));
        return Math.Max(1, Math.Min(wanted, limit));
    }

    /// <summary>Waits for batches in flight and releases the device's buffers, queues and program.</summary>
    public void Dispose()
    {
        runner?.Dispose();
        runtime?.Dispose();
    }
}
