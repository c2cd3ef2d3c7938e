using System.Buffers;
using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Engine.Native;

/// <summary>
/// Raw DEFLATE decoding through one of the native shims (interop/qpl, interop/qat). Loading never throws: a missing
/// shim or library, a wrong ABI version or a failed device initialisation makes the backend unavailable with the
/// reason. Decodes go through the shim's job pool; the shim checks the produced length, so Done always means exactly
/// DecodedLength bytes.
/// </summary>
public abstract unsafe class ShimAcceleratorBackend : IAcceleratorBackend, IDisposable
{
    private static readonly CompressionAlgorithm[] DeflateOnly = [CompressionAlgorithm.Deflate];

    private readonly IShimBinding _binding;
    private readonly ShimContextHandle? _context;
    private readonly AcceleratorBackendOptions _options;
    private readonly bool _partialSupported;
    private long _hardwareRuns;
    private long _softwareRuns;
    private int _lastPathUsed;

    private protected ShimAcceleratorBackend(string name, IShimBinding binding, AcceleratorBackendOptions options,
        int maxWindowBits, bool partialSupported)
    {
        Name = name;
        _binding = binding;
        _options = options;
        MaxWindowBits = maxWindowBits;
        _partialSupported = partialSupported;
        Availability = Initialise(out _context);
    }

    public string Name { get; }

    public BackendKind Kind => BackendKind.Accelerator;

    public BackendAvailability Availability { get; }

    public IReadOnlyCollection<CompressionAlgorithm> Algorithms => DeflateOnly;

    /// <summary>Largest DEFLATE window (log2 bytes) the device takes.</summary>
    public int MaxWindowBits { get; }

    /// <summary>Version of the accelerator library inside the shim, or null when it did not load.</summary>
    public string? LibraryVersion { get; private set; }

    /// <summary>Where the shim was loaded from, or null.</summary>
    public string? ShimLocation { get; private set; }

    public string? PathInUse => _context is null ? null : PathName(_options.Path);

    /// <summary>Decodes that ran on the device / on the library's CPU path, as reported by the shim.</summary>
    public long HardwareRuns => Interlocked.Read(ref _hardwareRuns);

    public long SoftwareRuns => Interlocked.Read(ref _softwareRuns);

    /// <summary>Path the last decode actually ran on ("hardware", "software" or "none").</summary>
    public string LastPathUsed => ShimStatus.PathName(Volatile.Read(ref _lastPathUsed));

    public int MaxConcurrency => _options.PoolSize;

    public string Capabilities =>
        $"deflate, windowbits <= {MaxWindowBits} ({1 << MaxWindowBits} B window), " +
        $"{(PartialDecodes ? "full and partial decodes" : "full decodes only")}, decoded length <= {_options.MaxDecodedLength}";

    private bool PartialDecodes => _partialSupported && _options.AllowPartialDecodes;

    /// <summary>Pooled jobs not in use right now (0 when unavailable).</summary>
    public int FreeJobs => _context is null ? 0 : (int)_binding.ContextFreeJobs(_context);

    public bool Supports(in DecodeParameters parameters, int sourceLength) =>
        _context is not null && Accepts(parameters, sourceLength);

    public bool Accepts(in DecodeParameters parameters, int sourceLength) =>
        parameters.Algorithm == CompressionAlgorithm.Deflate
        && parameters.DeflateWindowBits <= MaxWindowBits
        && parameters.DecodedLength <= _options.MaxDecodedLength
        && (!parameters.Partial || PartialDecodes)
        && parameters.IsValidFor(sourceLength, parameters.OutputLength, out _);

    public DecodeStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters, out int bytesWritten)
    {
        bytesWritten = 0;
        if (_context is null || _context.IsClosed || !Supports(parameters, source.Length) || destination.Length < parameters.OutputLength)
            return DecodeStatus.Unsupported;

        int decodedLength = parameters.DecodedLength;
        byte[]? scratch = parameters.DecodedSkip == 0 ? null : ArrayPool<byte>.Shared.Rent(decodedLength);
        try
        {
            Span<byte> target = scratch is null ? destination[..decodedLength] : scratch.AsSpan(0, decodedLength);
            int rc;
            ShimResult result;
            fixed (byte* src = source)
            fixed (byte* dst = target)
            {
                rc = _binding.Decompress(_context, src, (uint)source.Length, dst, (uint)decodedLength, (uint)decodedLength,
                    parameters.Partial ? ShimStatus.FlagPartial : 0, out result);
            }
            CountPath(result.PathUsed);
            var status = ShimStatus.ToDecodeStatus(rc);
            if (status != DecodeStatus.Done) return status;
            if (scratch is not null) target[parameters.DecodedSkip..].CopyTo(destination);
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
    /// Only for requests with DecodedSkip 0; <paramref name="destination"/> receives DecodedLength bytes. Returns null
    /// with <paramref name="status"/> set when the request was refused or ended at once with a failure; otherwise
    /// <paramref name="status"/> is Done (accepted) and the operation tells the outcome.
    /// </summary>
    internal ShimDecodeOperation? Submit(ReadOnlyMemory<byte> source, Memory<byte> destination, in DecodeParameters parameters,
        out DecodeStatus status)
    {
        status = DecodeStatus.Unsupported;
        if (_context is null || parameters.DecodedSkip != 0 || !Supports(parameters, source.Length)
            || destination.Length < parameters.DecodedLength)
            return null;
        var sourcePin = source.Pin();
        var destinationPin = destination.Pin();
        bool added = false;
        try
        {
            _context.DangerousAddRef(ref added);
            int rc = _binding.Submit(_context, (byte*)sourcePin.Pointer, (uint)source.Length, (byte*)destinationPin.Pointer,
                (uint)parameters.DecodedLength, (uint)parameters.DecodedLength, parameters.Partial ? ShimStatus.FlagPartial : 0,
                out nint operation, out var result);
            if (operation == 0)
            {
                status = ShimStatus.ToDecodeStatus(rc);
                CountPath(result.PathUsed);
                return null;
            }
            status = rc == ShimStatus.Pending ? DecodeStatus.Done : ShimStatus.ToDecodeStatus(rc);
            var op = new ShimDecodeOperation(this, _binding, _context, operation, sourcePin, destinationPin);
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

    private BackendAvailability Initialise(out ShimContextHandle? context)
    {
        context = null;
        if (_options.Validate() is { } bad) return BackendAvailability.Unavailable("invalid options: " + bad);
        try
        {
            if (!NativeShimLocator.TryLoad(_binding.LibraryName, _options.NativeDirectories, out var library, out var where))
                return BackendAvailability.Unavailable(where);
            ShimLocation = where;
            foreach (var export in _binding.RequiredExports)
            {
                if (!NativeLibrary.TryGetExport(library, export, out _))
                    return BackendAvailability.Unavailable($"{where} lacks {export}: rebuild the shim");
            }
            uint abi = _binding.AbiVersion();
            if (abi != _binding.ExpectedAbiVersion)
                return BackendAvailability.Unavailable($"{where} has ABI version {abi}, this build needs {_binding.ExpectedAbiVersion}: rebuild the shim");
            LibraryVersion = _binding.LibraryVersion();

            int rc = _binding.Probe(out int native);
            if (rc != ShimStatus.Ok)
                return BackendAvailability.Unavailable(DescribeFailure("device probe", rc, native));

            rc = _binding.ContextCreate((int)_options.Path, (uint)_options.PoolSize, out nint handle, out native);
            if (rc != ShimStatus.Ok || handle == 0)
                return BackendAvailability.Unavailable(DescribeFailure($"{PathName(_options.Path)} path initialisation", rc, native));
            context = new ShimContextHandle(handle, _binding.ContextDestroy);
            return BackendAvailability.Available(
                $"{LibraryVersion}, {PathName(_options.Path)} path, {_options.PoolSize} jobs, windowbits <= {MaxWindowBits}");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return BackendAvailability.Unavailable($"{_binding.LibraryName}: {e.Message}");
        }
    }

    private string DescribeFailure(string what, int rc, int native) =>
        $"{what} failed: {ShimStatus.Name(rc)} ({_binding.NativeStatusName(native)})";

    private static string PathName(AcceleratorPath path) => path == AcceleratorPath.Software ? "software" : "hardware";

    public override string ToString() => $"{Name}: {Availability}";

    public void Dispose()
    {
        _context?.Dispose();
        GC.SuppressFinalize(this);
    }
}
