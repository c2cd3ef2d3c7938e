using Erofs.Accel.Core;

namespace Erofs.Accel.Cli.Commands;

/// <summary>The options every image command shares (--device) and opening the image with them.</summary>
public static class ImageArguments
{
    public static readonly string[] ValueOptions = { "--device" };

    public static ErofsImage Open(string path, CommandLine cl)
    {
        if (!File.Exists(path))
            throw new IOException(Directory.Exists(path) ? $"{path}: is a directory, not an image file" : $"{path}: no such file");
        foreach (var d in cl.All("--device"))
            if (!File.Exists(d)) throw new IOException($"{d}: no such device file");
        return ErofsImage.Open(path, new ErofsImageOptions { ExtraDevicePaths = cl.All("--device").ToArray() });
    }
}
