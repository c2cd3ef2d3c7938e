using Erofs.Accel.Decompression.Engine;

namespace Erofs.Accel.Decompression.Tests.Engine;

/// <summary>
/// Accelerators in their own assembly (OpenCL) reach engines only through registration by the composition root.
/// Nothing in this test project registers "opencl" with the catalog (the OpenCL tests create their backends directly).
/// </summary>
public sealed class AcceleratorCatalogTests
{
    [Fact]
    public void KnownButUnregistered_IsUnavailable_AndSaysWhy()
    {
        var backend = AcceleratorCatalog.Create("opencl");
        Assert.NotNull(backend);
        Assert.Equal("opencl", backend!.Name);
        Assert.False(backend.Availability.IsAvailable);
        Assert.Contains("did not register 'opencl'", backend.Availability.Detail);
        Assert.False(backend.Supports(new DecodeParameters { Algorithm = CompressionAlgorithm.Lz4, DecodedLength = 10 }, 10));
        Assert.Null(AcceleratorCatalog.Create("no-such-accelerator"));
    }

    [Fact]
    public void Registered_IsCreatedByItsFactory_AndALaterRegistrationReplacesIt()
    {
        const string name = "catalog-test-accelerator";
        using var first = new Support.TestBatchBackend(name, 2);
        using var second = new Support.TestBatchBackend(name, 2);
        AcceleratorCatalog.Register(name, [CompressionAlgorithm.Lz4], false, () => first);
        Assert.Same(first, AcceleratorCatalog.Create(name));
        Assert.Same(first, AcceleratorCatalog.Create(name.ToUpperInvariant()));
        AcceleratorCatalog.Register(name, [CompressionAlgorithm.Lz4], false, () => second);
        Assert.Same(second, AcceleratorCatalog.Create(name));
        Assert.Throws<ArgumentException>(() => AcceleratorCatalog.Register(" ", [CompressionAlgorithm.Lz4], false, () => first));
    }
}
