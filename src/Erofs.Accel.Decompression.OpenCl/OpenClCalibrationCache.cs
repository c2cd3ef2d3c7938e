using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// Calibration results on disk, one small text file per key (device, driver, kernels, backend settings, host cores
/// and software decoders), next to the program binaries, so a start-up on the same machine skips the measurements.
/// Entries older than the lifetime, damaged or unreadable ones are ignored.
/// </summary>
internal sealed class OpenClCalibrationCache(string directory, TimeSpan lifetime)
{
    private const string Header = "erofs-accel opencl calibration 1";

    public string PathFor(string key) => Path.Combine(directory, "calibration-" + key + ".txt");

    /// <summary>Key of one backend configuration on this host.</summary>
    public static string Key(OpenClDeviceInfo device, string programKey, string settings)
    {
        using var software = new SoftwareDecompressor();
        var decoders = string.Join(",", software.Backends.Where(b => b.Availability.IsAvailable).Select(b => b.Name));
        var text = string.Join("\n", device.PlatformName, device.PlatformVersion, device.DeviceName, device.DriverVersion,
            programKey, settings, Environment.ProcessorCount, decoders);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }

    public IReadOnlyDictionary<CompressionAlgorithm, OpenClCalibration>? TryLoad(string key)
    {
        try
        {
            var path = PathFor(key);
            if (!File.Exists(path) || DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > lifetime) return null;
            var lines = File.ReadAllLines(path);
            if (lines.Length < 2 || lines[0] != Header) return null;
            var result = new Dictionary<CompressionAlgorithm, OpenClCalibration>();
            foreach (var line in lines.Skip(1))
            {
                var f = line.Split(' ');
                if (f.Length != 6 || !Enum.TryParse<CompressionAlgorithm>(f[0], out var algorithm)) return null;
                var c = new OpenClCalibration(algorithm, int.Parse(f[1], CultureInfo.InvariantCulture),
                    double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture),
                    double.Parse(f[4], CultureInfo.InvariantCulture), int.Parse(f[5], CultureInfo.InvariantCulture), FromCache: true);
                if (c.ItemBytes <= 0 || c.FixedCostMicroseconds <= 0 || c.OpenClNanosecondsPerByte <= 0 || c.SoftwareNanosecondsPerByte <= 0
                    || c.SoftwareThreads <= 0) return null;
                result[algorithm] = c;
            }
            return result;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }

    public void Store(string key, IEnumerable<OpenClCalibration> calibrations)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var final = PathFor(key);
            var temp = final + "." + Environment.ProcessId + ".tmp";
            var lines = new List<string> { Header };
            foreach (var c in calibrations)
                lines.Add(string.Join(' ', c.Algorithm.ToString(), c.ItemBytes.ToString(CultureInfo.InvariantCulture),
                    c.FixedCostMicroseconds.ToString("R", CultureInfo.InvariantCulture),
                    c.OpenClNanosecondsPerByte.ToString("R", CultureInfo.InvariantCulture),
                    c.SoftwareNanosecondsPerByte.ToString("R", CultureInfo.InvariantCulture),
                    c.SoftwareThreads.ToString(CultureInfo.InvariantCulture)));
            File.WriteAllLines(temp, lines);
            File.Move(temp, final, overwrite: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
