using Erofs.Accel.Decompression.Backends.Qat;
using Erofs.Accel.Decompression.Backends.Qpl;
using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Decompression.Tests.Accelerators;

/// <summary>
/// Accelerator backends on the paths that run without a device, through the real shims: QPL's software path and
/// QATzip's software failover (the QAT test mode). A test skips when the shim is absent, and fails instead where
/// <see cref="AcceleratorTests.ShimsRequired"/> (CI).
/// </summary>
internal static class AcceleratorTestBackends
{
    /// <summary>A QPL backend on QPL's CPU path.</summary>
    public static QplBackend QplSoftwarePath(int poolSize = 4, bool allowPartial = false)
    {
        var backend = new QplBackend(new QplBackendOptions
        {
            Path = AcceleratorPath.Software,
            PoolSize = poolSize,
            AllowPartialDecodes = allowPartial,
            NativeDirectories = [RepositoryPaths.NativeDirectory],
        });
        return Usable(backend, "QPL");
    }

    /// <summary>A QAT backend in its test mode (QATzip's software failover).</summary>
    public static QatBackend QatSoftwareFailover(int poolSize = 4)
    {
        var backend = new QatBackend(new QatBackendOptions
        {
            Path = AcceleratorPath.Software,
            PoolSize = poolSize,
            NativeDirectories = [RepositoryPaths.NativeDirectory],
        });
        return Usable(backend, "QAT");
    }

    private static T Usable<T>(T backend, string shim) where T : Erofs.Accel.Decompression.Engine.Native.ShimAcceleratorBackend
    {
        if (backend.Availability.IsAvailable) return backend;
        var why = backend.Availability.Detail;
        backend.Dispose();
        AcceleratorTests.ShimUnusable(shim, why);
        return backend;
    }

    /// <summary>
    /// Feeds <paramref name="backend"/> damaged copies of a good stream and random bytes, with right and wrong lengths:
    /// it must never write past its output, and whatever it calls Done must be exactly what software decodes.
    /// </summary>
    public static void AssertAgreesWithSoftwareOnDamagedAndRandomInput(IDecompressionBackend backend, int windowBits, int inputs, int seed)
    {
        using var software = new SoftwareDecompressor();
        var random = new Random(seed);
        var good = Payloads.Deflate(Payloads.Data(8000, 5), windowBits);
        int done = 0;
        for (int i = 0; i < inputs; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = good.Compressed.ToArray();
                for (int flips = random.Next(1, 4); flips > 0; flips--) input[random.Next(input.Length)] ^= (byte)(1 << random.Next(8));
            }
            else
            {
                input = new byte[random.Next(1, 2000)];
                random.NextBytes(input);
            }
            int length = i % 3 == 0 ? 8000 : random.Next(1, 20000);
            var parameters = new DecodeParameters { Algorithm = CompressionAlgorithm.Deflate, DecodedLength = length, DeflateWindowBits = windowBits };
            var fromBackend = new byte[length + 16];
            fromBackend.AsSpan(length).Fill(0xCC);

            var status = backend.Decode(input, fromBackend.AsSpan(0, length), parameters, out int written);

            Assert.True(fromBackend.AsSpan(length).IndexOfAnyExcept((byte)0xCC) < 0, $"{backend.Name} wrote past its output");
            if (status != DecodeStatus.Done) continue;
            done++;
            Assert.Equal(length, written);
            var fromSoftware = new byte[length];
            var reference = software.Decompress(input, fromSoftware, parameters);
            Assert.Equal(DecodeStatus.Done, reference.Status);
            Assert.True(fromSoftware.AsSpan().SequenceEqual(fromBackend.AsSpan(0, length)), $"{backend.Name} and software disagree on input {i}");
        }
        TestContext.Current.SendDiagnosticMessage($"{backend.Name} accepted {done} of {inputs} damaged/random inputs");
    }
}
