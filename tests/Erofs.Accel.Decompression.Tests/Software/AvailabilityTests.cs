using Erofs.Accel.Decompression.Backends.Deflate;
using Erofs.Accel.Decompression.Backends.Lz4;
using Erofs.Accel.Decompression.Backends.Lzma;
using Erofs.Accel.Decompression.Backends.Zstd;
using Erofs.Accel.Decompression.Software;
using Erofs.Accel.Decompression.Tests.TestSupport;

namespace Erofs.Accel.Decompression.Tests.Software;

/// <summary>Native backends report a missing library as "unavailable" without throwing, and refuse work politely.</summary>
public sealed class AvailabilityTests
{
    private const string Bogus = "liberofs-accel-no-such-library.so.42";

    public static TheoryData<string> NativeBackendKinds() => new() { "lz4", "deflate", "lzma", "zstd" };

    private static SoftwareBackend CreateWithLibrary(string kind, string library) => kind switch
    {
        "lz4" => new Lz4NativeBackend(library),
        "deflate" => new LibdeflateBackend(library),
        "lzma" => new LzmaNativeBackend(library),
        "zstd" => new ZstdNativeBackend(library),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(NativeBackendKinds))]
    public void MissingLibraryMakesTheBackendUnavailable(string kind)
    {
        var backend = CreateWithLibrary(kind, Bogus);
        Assert.False(backend.Availability.IsAvailable);
        Assert.Contains(Bogus, backend.Availability.Detail);
        Assert.StartsWith("unavailable: ", backend.Availability.ToString());

        var parameters = new DecodeParameters { Algorithm = backend.Algorithm, DecodedLength = 10 };
        Assert.False(backend.Supports(parameters, 10));
        var run = GuardedDecode.Run(backend, new byte[10], parameters);
        Assert.Equal(DecodeStatus.Unsupported, run.Status);
        Assert.Equal(0, run.BytesWritten);
        Assert.True(run.Destination.IndexOfAnyExcept(GuardedDecode.Fill) < 0, "an unavailable backend wrote to the destination");
    }

    [Theory]
    [MemberData(nameof(NativeBackendKinds))]
    public void LibraryWithoutTheNeededExportsIsUnavailable(string kind)
    {
        // libz is a real, loadable library that exports none of the functions these backends call.
        var backend = CreateWithLibrary(kind, "libz.so.1");
        Assert.False(backend.Availability.IsAvailable);
        Assert.Contains("lacks", backend.Availability.Detail);
    }

    [Fact]
    public void DecompressorIgnoresUnavailableBackends()
    {
        using var decompressor = new SoftwareDecompressor([new Lz4NativeBackend(Bogus), new Lz4K4osBackend()]);
        Assert.Equal([Lz4K4osBackend.BackendName], decompressor.BackendsFor(CompressionAlgorithm.Lz4).Select(b => b.Name));
        var data = TestData.Generate(DataKind.Text, 5000);
        var compressed = TestSupport.Encoders.Lz4Encoders.K4os(data, K4os.Compression.LZ4.LZ4Level.L00_FAST).Compressed;
        var output = new byte[data.Length];
        var result = decompressor.Decompress(compressed, output, new DecodeParameters { Algorithm = CompressionAlgorithm.Lz4, DecodedLength = data.Length });
        Assert.Equal(DecodeStatus.Done, result.Status);
        Assert.Equal(Lz4K4osBackend.BackendName, result.Backend);
        Assert.Equal(data, output);
    }

    [Fact]
    public void DebianLibrariesAreFoundHere()
    {
        // Not a skip-worthy condition on the project's Debian 12 CI: liblz4-1, libdeflate0, liblzma5 and libzstd1 are installed.
        foreach (var backend in TestBackends.All)
            Assert.True(backend.Availability.IsAvailable, backend.ToString());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void InvalidParametersAreRefusedWithoutWriting(string backendName)
    {
        var backend = TestBackends.Require(backendName);
        var valid = new DecodeParameters { Algorithm = backend.Algorithm, DecodedLength = 100 };
        var source = new byte[50];
        DecodeParameters[] invalid =
        [
            valid with { DecodedLength = 0 },
            valid with { DecodedLength = -5 },
            valid with { DecodedSkip = 100 },
            valid with { DecodedSkip = -1 },
            valid with { Algorithm = (CompressionAlgorithm)9 },
            valid with { Algorithm = backend.Algorithm == CompressionAlgorithm.Lz4 ? CompressionAlgorithm.Zstd : CompressionAlgorithm.Lz4 },
            valid with { DeflateWindowBits = 16 },
        ];
        foreach (var parameters in invalid)
        {
            Assert.False(backend.Supports(parameters, source.Length), parameters.ToString());
            var run = GuardedDecode.Run(backend, source, parameters, destinationLength: 100);
            Assert.Equal(DecodeStatus.Unsupported, run.Status);
            Assert.True(run.GuardsIntact);
        }

        // Destination too small and empty source.
        var small = GuardedDecode.Run(backend, source, valid, destinationLength: 99);
        Assert.Equal(DecodeStatus.Unsupported, small.Status);
        Assert.True(small.Destination.IndexOfAnyExcept(GuardedDecode.Fill) < 0);
        Assert.Equal(DecodeStatus.Unsupported, GuardedDecode.Run(backend, ReadOnlySpan<byte>.Empty, valid).Status);
    }

    public static TheoryData<string> Backends() => TestBackends.BackendNames();
}
