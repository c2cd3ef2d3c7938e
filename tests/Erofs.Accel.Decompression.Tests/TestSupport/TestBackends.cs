using Erofs.Accel.Decompression.Software;
using Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

namespace Erofs.Accel.Decompression.Tests.TestSupport;

/// <summary>Shared backend instances (backends are thread-safe) and theory data pairing them with encoders.</summary>
public static class TestBackends
{
    private static readonly Lazy<IReadOnlyList<SoftwareBackend>> AllLazy = new(SoftwareBackends.CreateAll);

    public static IReadOnlyList<SoftwareBackend> All => AllLazy.Value;

    /// <summary>The named backend; skips the calling test when it is unavailable on this machine.</summary>
    public static SoftwareBackend Require(string name)
    {
        var backend = All.Single(b => b.Name == name);
        if (!backend.Availability.IsAvailable) Assert.Skip($"{name} {backend.Availability}");
        return backend;
    }

    public static TheoryData<string> BackendNames()
    {
        var data = new TheoryData<string>();
        foreach (var backend in All) data.Add(backend.Name);
        return data;
    }

    /// <summary>Every (backend, encoder) pair of the same algorithm.</summary>
    public static TheoryData<string, string> BackendEncoderPairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var backend in All)
            foreach (var encoder in EncoderCatalog.For(backend.Algorithm))
                data.Add(backend.Name, encoder.Name);
        return data;
    }
}
