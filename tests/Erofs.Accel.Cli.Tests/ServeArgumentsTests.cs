namespace Erofs.Accel.Cli.Tests;

/// <summary>serve's own options are checked before a daemon starts (nothing is created for a bad command line).</summary>
public class ServeArgumentsTests
{
    [Fact]
    public void AnUnknownTransportIsRefusedBeforeTheDaemonStarts()
    {
        var folder = Directory.CreateTempSubdirectory("erofs-accel-serve-args-").FullName;
        try
        {
            var socket = Path.Combine(folder, "control.sock");
            var (exit, output, err) = CliRunner.Run("serve", "--socket", socket, "--transport", "carrier-pigeon");
            Assert.Equal(2, exit);
            Assert.Equal("", output);
            Assert.Contains("carrier-pigeon", err);
            Assert.False(File.Exists(socket), "a refused command line must not start a daemon");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
