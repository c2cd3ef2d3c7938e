using Erofs.Accel.Decompression.OpenCl;

namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>Descriptors that point outside the batch buffers: the host refuses them, and so do the kernels.</summary>
[Collection(OpenClCollection.Name)]
public sealed class OpenClRawDescriptorTests(OpenClFixture fixture)
{
    [Fact]
    public void Validator_RejectsRangesOutsideTheBuffers()
    {
        var ok = new OpenClItemDescriptor { InputOffset = 0, InputLength = 10, OutputOffset = 100, OutputCapacity = 50 };
        Assert.True(OpenClDescriptorValidator.IsValid(ok, 10, 150));
        Assert.False(OpenClDescriptorValidator.IsValid(ok with { InputLength = 11 }, 10, 150));
        Assert.False(OpenClDescriptorValidator.IsValid(ok with { InputOffset = uint.MaxValue }, 10, 150));
        Assert.False(OpenClDescriptorValidator.IsValid(ok with { OutputCapacity = 51 }, 10, 150));
        Assert.False(OpenClDescriptorValidator.IsValid(ok with { OutputOffset = uint.MaxValue - 10, OutputCapacity = 20 }, 10, 150));
        Assert.False(OpenClDescriptorValidator.IsValid(ok with { InputLength = 0 }, 10, 150));
        Assert.False(OpenClDescriptorValidator.IsValid(ok with { OutputCapacity = 0 }, 10, 150));
        Assert.False(OpenClDescriptorValidator.IsValid(ok with { Flags = 2 }, 10, 150));
        Assert.Equal(1, OpenClDescriptorValidator.FirstInvalid([ok, ok with { InputLength = 99 }], 10, 150));
        Assert.True(OpenClDescriptorValidator.OutputsDisjoint([ok, ok with { OutputOffset = 150 }]));
        Assert.False(OpenClDescriptorValidator.OutputsDisjoint([ok, ok with { OutputOffset = 149 }]));
    }

    [Fact]
    public async Task HostChecks_RefuseBadDescriptors_BeforeEnqueue()
    {
        var runner = fixture.Backend.Runner!;
        var input = new byte[] { 0x50, 1, 2, 3, 4, 5 };
        var bad = new OpenClItemDescriptor { InputOffset = 0, InputLength = 100, OutputOffset = 0, OutputCapacity = 5 };
        var (_, _, rejected) = await runner.RunRawAsync(input, [bad], [], 64, hostChecks: true);
        Assert.True(rejected);
    }

    [Fact]
    public async Task Kernels_RefuseBadDescriptors_AndDecodeTheGoodOnes()
    {
        foreach (var backend in new[] { fixture.Backend, fixture.GroupBackend })
        {
            var runner = backend.Runner!;
            // input: LZ4 "12345" at 0, DEFLATE stored "xyz" at 6
            var input = new byte[] { 0x50, (byte)'1', (byte)'2', (byte)'3', (byte)'4', (byte)'5', 0x01, 0x03, 0x00, 0xFC, 0xFF, (byte)'x', (byte)'y', (byte)'z' };
            var goodLz4 = new OpenClItemDescriptor { InputOffset = 0, InputLength = 6, OutputOffset = 0, OutputCapacity = 5 };
            var goodDeflate = new OpenClItemDescriptor { InputOffset = 6, InputLength = 8, OutputOffset = 8, OutputCapacity = 3 };
            var lz4Items = new[]
            {
                goodLz4,
                goodLz4 with { InputOffset = uint.MaxValue - 2 },                   // input outside
                goodLz4 with { OutputOffset = 1u << 30 },                           // output outside
                goodLz4 with { OutputCapacity = uint.MaxValue },                    // wraps
            };
            var deflateItems = new[] { goodDeflate, goodDeflate with { InputLength = 1u << 31 } };
            var (results, output, rejected) = await runner.RunRawAsync(input, lz4Items, deflateItems, 16, hostChecks: false);
            Assert.False(rejected);
            Assert.Equal(6, results.Length);
            Assert.Equal((uint)0, results[0].Status);
            Assert.Equal((uint)5, results[0].Produced);
            for (int i = 1; i < 4; i++) Assert.Equal((uint)5, results[i].Status);   // ST_BAD_DESC
            Assert.Equal((uint)0, results[4].Status);
            Assert.Equal((uint)5, results[5].Status);
            Assert.Equal("12345"u8.ToArray(), output.AsSpan(0, 5).ToArray());
            Assert.Equal("xyz"u8.ToArray(), output.AsSpan(8, 3).ToArray());
        }
    }
}
