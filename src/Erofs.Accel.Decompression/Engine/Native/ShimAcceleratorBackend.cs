using System.Buffers;

namespace Erofs.Accel.Decompression.Engine.Native;

/// <summary>
/// Raw DEFLATE decoding through one of the native shims (interop/qpl, interop/qat), all called through the same export
/// table (<see cref="NativeShim"/>). Loading never throws: a missing shim or library, a wrong ABI version or a failed
/// device initialisation makes the backend unavailable with the reason. Decodes go through the shim's job pool; the
/// shim checks the produced length, so Done always means exactly DecodedLength bytes.
/// </summary>
public abstract unsafe class ShimAcceleratorBackend : IAcceleratorBackend, IDisposable
{
    private static readonly CompressionAlgorithm[] DeflateOnly = [CompressionAlgorithm.Deflate];

    private readonly string _libraryName;
    private readonly NativeShim? _shim;
    private readonly ShimContextHandle? _context;
    private readonly AcceleratorBackendOptions _options;
    private readonly bool _partialSupported;
    private long _hardwareRuns;
    private long _softwareRuns;
    private int _lastPathUsed;

    /// <param name="libraryName">The shim (e.g. "erofs_accel_qpl"); its export table must carry <paramref name="name"/>.</param>
    /// <param name="keepsJobsInFlight">The library's submit returns while the device works (QPL), so the engine keeps
    /// up to <see cref="MaxConcurrency"/> jobs in flight from one thread; otherwise submit decodes before returning
    /// (QATzip) and the engine runs that many decodes on as many threads.</param>
    private protected ShimAcceleratorBackend(string name, string libraryName, AcceleratorBackendOptions options,
        int maxWindowBits, bool partialSupported, bool keepsJobsInFlight)
    {
        Name = name;
        _libraryName = libraryName;
        _options = options;
        MaxWindowBits = maxWindowBits;
        _partialSupported = partialSupported;
        KeepsJobsInFlight = keepsJobsInFlight;
        Availability = Initialise(out _shim, out _context);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public BackendKind Kind => BackendKind.Accelerator;

    /// <inheritdoc/>
    public BackendAvailability Availability { get; }

    /// <inheritdoc/>
    public IReadOnlyCollection<CompressionAlgorithm> Algorithms => DeflateOnly;

    /// <summary>Largest DEFLATE window (log2 bytes) the device takes.</summary>
    public int MaxWindowBits { get; }

    /// <summary>Version of the accelerator library inside the shim, or null when it did not load.</summary>
    public string? LibraryVersion => _shim?.LibraryVersion;

    /// <summary>Where the shim was loaded from, or null.</summary>
    public string? ShimLocation => _shim?.Location;

    /// <summary>The path the context was opened on ("hardware", "software" or "auto"), or null when it was not.</summary>
    public string? PathInUse => _context is null ? null : PathName(_options.Path);

    /// <summary>The path the options ask for.</summary>
    public AcceleratorPath Path => _options.Path;

    /// <summary>Decodes that ran on the device / on the library's CPU path, as reported by the shim.</summary>
    public long HardwareRuns => Interlocked.Read(ref _hardwareRuns);

    /// <summary>Decodes that ran on the library's software path instead of the device, as reported by the shim.</summary>
    public long SoftwareRuns => Interlocked.Read(ref _softwareRuns);

    /// <summary>Path the last decode actually ran on ("hardware", "software" or "none").</summary>
    public string LastPathUsed => ShimStatus.PathName(Volatile.Read(ref _lastPathUsed));

    /// <summary>Jobs the shim keeps pooled, so decodes that can run at once.</summary>
    public int MaxConcurrency => _options.PoolSize;

    /// <summary>See the constructor: whether the engine keeps several jobs in flight from one thread.</summary>
    internal bool KeepsJobsInFlight { get; }

    /// <summary>What the backend decodes, in words (for backends listings).</summary>
    public string Capabilities =>
        $"deflate, windowbits <= {MaxWindowBits} ({1 << MaxWindowBits} B window), " +
        $"{(PartialDecodes ? "full and partial decodes" : "full decodes only")}, decoded length <= {_options.MaxDecodedLength}";

    private bool PartialDecodes => _partialSupported && _options.AllowPartialDecodes;

    /// <summary>Pooled jobs not in use right now (0 when unavailable).</summary>
    public int FreeJobs => _context is null ? 0 : (int)_shim!.ContextFreeJobs(_context);

    /// <inheritdoc/>
    public bool Supports(in DecodeParameters parameters, int sourceLength) =>
        _context is not null && Accepts(parameters, sourceLength);

    /// <summary>Whether the parameters are within what the backend takes, whether or not a device is present.</summary>
    public bool Accepts(in DecodeParameters parameters, int sourceLength) =>
        parameters.Algorithm == CompressionAlgorithm.Deflate
        && parameters.DeflateWindowBits <= MaxWindowBits
        && parameters.DecodedLength <= _options.MaxDecodedLength
        && (!parameters.Partial || PartialDecodes)
        && parameters.IsValidFor(sourceLength, parameters.OutputLength, out _);

    /// <summary>Name of a library status code (qpl_status, QATzip return code), for messages.</summary>
    private protected abstract string NativeStatusName(int nativeStatus);

    /// <summary>
    /// Whether the shim needs one byte of output room beyond DecodedLength to notice a stream that goes on (QATzip does
    /// not report the end of the stream); decodes into a destination without it go through a scratch buffer.
    /// </summary>
    private protected virtual bool WantsSpareOutputByte => false;

    /// <summary>Output room a submitted decode needs beyond DecodedLength (see <see cref="WantsSpareOutputByte"/>).</summary>
    internal int SpareOutputBytes => WantsSpareOutputByte ? 1 : 0;

    /// <summary>How the backends listing names a path (the QAT test mode says so).</summary>
    private protected virtual string PathName(AcceleratorPath path) => path == AcceleratorPath.Software ? "software" : "hardware";

    /// <inheritdoc/>
    public DecodeStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters, out int bytesWritten)
    {
        bytesWritten = 0;
        if (_context is null || _context.IsClosed || !Supports(parameters, source.Length) || destination.Length < parameters.OutputLength)
            return DecodeStatus.Unsupported;

        int decodedLength = parameters.DecodedLength;
        bool direct = parameters.DecodedSkip == 0 && (!WantsSpareOutputByte || destination.Length > decodedLength);
        byte[]? scratch = direct ? null : ArrayPool<byte>.Shared.Rent(decodedLength + 1);
        try
        {
            Span<byte> target = scratch is not null ? scratch
                : WantsSpareOutputByte ? destination[..(decodedLength + 1)] : destination[..decodedLength];
            int rc;
            ShimResult result;
            fixed (byte* src = source)
            fixed (byte* dst = target)
            {
                rc = _shim!.Decompress(_context, src, (uint)source.Length, dst, (uint)target.Length, (uint)decodedLength,
                    parameters.Partial ? ShimStatus.FlagPartial : 0, out result);
            }
            CountPath(result.PathUsed);
            var status = ShimStatus.ToDecodeStatus(rc);
            if (status != DecodeStatus.Done) return status;
            if (scratch is not null) scratch.AsSpan(parameters.DecodedSkip, parameters.OutputLength).CopyTo(destination);
            bytesWritten = parameters.OutputLength;
            return DecodeStatus.Done;
        }
        finally
        {
            if (scratch is not null) ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Starts a decode through the shim's submit call (the device works while the caller does something else).
    /// Only for requests with DecodedSkip 0; <paramref name="destination"/> receives DecodedLength bytes (give it one
    /// byte more). Returns null with <paramref name="status"/> set when the request was refused or ended at once with
    /// a failure, or with <paramref name="busy"/> set when every job or the device queue is taken (submit it again
    /// once one finished); otherwise <paramref name="status"/> is Done (accepted) and the operation tells the outcome.
    /// </summary>
    internal ShimDecodeOperation? Submit(ReadOnlyMemory<byte> source, Memory<byte> destination, in DecodeParameters parameters,
        out DecodeStatus status, out bool busy)
    {
        status = DecodeStatus.Unsupported;
        busy = false;
        if (_context is null || parameters.DecodedSkip != 0 || !Supports(parameters, source.Length)
            || destination.Length < parameters.DecodedLength)
            return null;
        var sourcePin = source.Pin();
        var destinationPin = destination.Pin();
        bool added = false;
        try
        {
            _context.DangerousAddRef(ref added);
            int rc = _shim!.Submit(_context, (byte*)sourcePin.Pointer, (uint)source.Length, (byte*)destinationPin.Pointer,
                (uint)destination.Length, (uint)parameters.DecodedLength, parameters.Partial ? ShimStatus.FlagPartial : 0,
                out nint operation, out var result);
            if (operation == 0)
            {
                busy = rc == ShimStatus.Busy;
                status = ShimStatus.ToDecodeStatus(rc);
                CountPath(result.PathUsed);
                return null;
            }
            status = rc == ShimStatus.Pending ? DecodeStatus.Done : ShimStatus.ToDecodeStatus(rc);
            var op = new ShimDecodeOperation(this, _shim, _context, operation, sourcePin, destinationPin);
            added = false; // the operation owns the reference and the pins now
            return op;
        }
        finally
        {
            if (added)
            {
                _context.DangerousRelease();
                sourcePin.Dispose();
                destinationPin.Dispose();
            }
        }
    }

    internal void CountPath(int pathUsed)
    {
        if (pathUsed == ShimStatus.PathHardware) Interlocked.Increment(ref _hardwareRuns);
        else if (pathUsed == ShimStatus.PathSoftware) Interlocked.Increment(ref _softwareRuns);
        if (pathUsed != 0) Volatile.Write(ref _lastPathUsed, pathUsed);
    }

    private BackendAvailability Initialise(out NativeShim? shim, out ShimContextHandle? context)
    {
        shim = null;
        context = null;
        if (_options.Validate() is { } bad) return BackendAvailability.Unavailable("invalid options: " + bad);
        shim = NativeShim.TryLoad(_libraryName, Name, _options.NativeDirectories, out var problem);
        if (shim is null) return BackendAvailability.Unavailable(problem);
        NativeLibraryLog.Attach(shim); // before the first call into the library: its start-up lines go to our log

        int rc = shim.Probe((int)_options.Path, out int native);
        if (rc != ShimStatus.Ok)
            return BackendAvailability.Unavailable(DescribeFailure("device probe", rc, native));
        rc = shim.ContextCreate((int)_options.Path, (uint)_options.PoolSize, out context, out native);
        if (context is null)
            return BackendAvailability.Unavailable(DescribeFailure($"{PathName(_options.Path)} path initialisation", rc, native));
        return BackendAvailability.Available(
            $"{shim.LibraryVersion}, {PathName(_options.Path)} path, {_options.PoolSize} jobs, windowbits <= {MaxWindowBits}");
    }

    private string DescribeFailure(string what, int rc, int native) =>
        $"{what} failed: {ShimStatus.Name(rc)} ({NativeStatusName(native)})";

    /// <summary>The name and availability.</summary>
    public override string ToString() => $"{Name}: {Availability}";

    /// <summary>Frees the shim's context and its pooled jobs.</summary>
    public void Dispose()
    {
        _context?.Dispose();
        GC.SuppressFinalize(this);
    }
}
