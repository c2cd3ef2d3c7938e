using Erofs.Accel.Decompression.Interop;
using Erofs.Accel.Decompression.Software;

namespace Erofs.Accel.Decompression.Backends.Deflate;

/// <summary>
/// Raw DEFLATE decoder over native libdeflate (<c>libdeflate_deflate_decompress_ex</c>), the fastest DEFLATE decoder
/// here. Full decodes only: libdeflate cannot stop early, so partial requests are left to <see cref="BclDeflateBackend"/>.
/// The stream must reach its final block and decode to exactly DecodedLength bytes; source bytes after the end of the
/// stream are ignored. Decompressor objects are pooled, so calls are thread-safe and allocation-free.
/// </summary>
public sealed class LibdeflateBackend : WholeBufferBackend, IDisposable
{
    /// <summary>The name the engine, the CLI and reports use for this backend.</summary>
    public const string BackendName = "deflate-libdeflate";

    private readonly NativeContextPool<LibdeflateDecompressorHandle> _decompressors = new(LibdeflateDecompressorHandle.TryCreate);

    /// <summary>A DEFLATE decoder over the system's libdeflate; unavailable (with the reason) when the library does not load.</summary>
    public LibdeflateBackend() : this(LibdeflateNative.LibraryName) { }

    /// <summary>Probes <paramref name="libraryName"/> instead of the real soname (tests simulate a missing library).</summary>
    internal LibdeflateBackend(string libraryName)
        : base(BackendName, CompressionAlgorithm.Deflate, NativeLibraryProbe.Probe(libraryName, LibdeflateNative.RequiredExports)) { }

    /// <summary>False: libdeflate decodes whole streams only.</summary>
    public override bool SupportsPartial => false;

    /// <inheritdoc/>
    protected override unsafe DecodeStatus DecodeFromStart(ReadOnlySpan<byte> source, Span<byte> target, in DecodeParameters parameters)
    {
        var decompressor = _decompressors.Rent();
        if (decompressor is null) return DecodeStatus.BackendFailure;
        LibdeflateNative.Result result;
        nuint actualIn, actualOut;
        try
        {
            fixed (byte* src = source)
            fixed (byte* dst = target)
            {
                result = LibdeflateNative.DeflateDecompressEx(
                    decompressor.DangerousGetHandle(), src, (nuint)source.Length, dst, (nuint)target.Length, &actualIn, &actualOut);
            }
        }
        finally
        {
            _decompressors.Return(decompressor);
        }
        // InsufficientSpace: the stream decodes to more than DecodedLength. BadData/ShortOutput: malformed or truncated.
        return result == LibdeflateNative.Result.Success && actualOut == (nuint)target.Length
            ? DecodeStatus.Done
            : DecodeStatus.CorruptData;
    }

    /// <summary>Frees the pooled libdeflate decompressors.</summary>
    public void Dispose() => _decompressors.Dispose();
}
