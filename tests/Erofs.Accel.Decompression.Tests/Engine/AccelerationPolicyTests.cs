using Erofs.Accel.Decompression.Engine;

namespace Erofs.Accel.Decompression.Tests.Engine;

public sealed class AccelerationPolicyTests
{
    [Theory]
    [InlineData("auto", AccelerationMode.Auto, "auto")]
    [InlineData(" AUTO ", AccelerationMode.Auto, "auto")]
    [InlineData("software", AccelerationMode.Software, "software")]
    [InlineData("sw", AccelerationMode.Software, "software")]
    [InlineData("none", AccelerationMode.Software, "software")]
    [InlineData("qpl", AccelerationMode.List, "qpl")]
    [InlineData("qpl,qat,opencl", AccelerationMode.List, "qpl,qat,opencl")]
    [InlineData("QAT, qpl", AccelerationMode.List, "qat,qpl")]
    [InlineData("qpl,qpl,software", AccelerationMode.List, "qpl")]
    [InlineData("software,sw", AccelerationMode.Software, "software")]
    public void Parses(string text, AccelerationMode mode, string canonical)
    {
        var policy = AccelerationPolicy.Parse(text);
        Assert.Equal(mode, policy.Mode);
        Assert.Equal(canonical, policy.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("gpu")]
    [InlineData("qpl,,qat")]
    [InlineData("qpl,auto")]
    [InlineData("qpl;qat")]
    public void RejectsBadValues(string text)
    {
        var e = Assert.Throws<FormatException>(() => AccelerationPolicy.Parse(text));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.False(AccelerationPolicy.TryParse(text, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void CustomNamesNeedToBeDeclared()
    {
        Assert.Throws<FormatException>(() => AccelerationPolicy.Parse("faulty"));
        var policy = AccelerationPolicy.Parse("faulty,qpl", ["faulty", "qpl"]);
        Assert.Equal(["faulty", "qpl"], policy.Accelerators);
    }

    [Fact]
    public void ListOrderAndPermissions()
    {
        var policy = AccelerationPolicy.Parse("qat,qpl");
        Assert.True(policy.Allows("qpl"));
        Assert.True(policy.Names("qat"));
        Assert.False(policy.Allows("opencl"));
        Assert.Equal(["qat", "qpl"], policy.AcceleratorsToCreate);
        Assert.Equal(["qpl", "qat"], AccelerationPolicy.Auto.AcceleratorsToCreate); // opencl only when named
        Assert.True(AccelerationPolicy.Auto.Allows("anything"));
        Assert.False(AccelerationPolicy.Auto.Names("qpl"));
        Assert.Empty(AccelerationPolicy.SoftwareOnly.AcceleratorsToCreate);
        Assert.False(AccelerationPolicy.SoftwareOnly.Allows("qpl"));
    }

    [Fact]
    public void CommandLineBeatsEnvironmentWhichBeatsDefault()
    {
        var saved = Environment.GetEnvironmentVariable(AccelerationPolicy.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(AccelerationPolicy.EnvironmentVariable, null);
            Assert.Equal(AccelerationMode.Auto, AccelerationPolicy.Resolve().Mode);

            Environment.SetEnvironmentVariable(AccelerationPolicy.EnvironmentVariable, "software");
            Assert.Equal(AccelerationMode.Software, AccelerationPolicy.Resolve().Mode);
            Assert.Equal("qpl", AccelerationPolicy.Resolve("qpl").ToString());

            Environment.SetEnvironmentVariable(AccelerationPolicy.EnvironmentVariable, "bogus");
            var e = Assert.Throws<FormatException>(() => AccelerationPolicy.Resolve());
            Assert.Contains(AccelerationPolicy.EnvironmentVariable, e.Message);
            Assert.Equal(AccelerationMode.Auto, AccelerationPolicy.Resolve("auto").Mode);
        }
        finally
        {
            Environment.SetEnvironmentVariable(AccelerationPolicy.EnvironmentVariable, saved);
        }
    }
}
