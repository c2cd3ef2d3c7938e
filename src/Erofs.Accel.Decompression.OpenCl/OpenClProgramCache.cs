namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// Compiled program binaries on disk, one file per key (device, driver, build options and source hash), so a
/// start-up does not pay for the OpenCL C compiler again. Damaged or unreadable entries are ignored.
/// </summary>
internal sealed class OpenClProgramCache
{
    private readonly string directory;

    public OpenClProgramCache(string? directory) => this.directory = directory ?? DefaultDirectory();

    public string Directory => directory;

    public static string DefaultDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "erofs-accel", "opencl");
    }

    public string PathFor(string key) => Path.Combine(directory, key + ".bin");

    public byte[]? TryLoad(string key)
    {
        try
        {
            var p = PathFor(key);
            if (!File.Exists(p)) return null;
            var bytes = File.ReadAllBytes(p);
            return bytes.Length > 0 ? bytes : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public void Store(string key, byte[] binary)
    {
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            var final = PathFor(key);
            var temp = final + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(temp, binary);
            File.Move(temp, final, overwrite: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public void Remove(string key)
    {
        try { File.Delete(PathFor(key)); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
