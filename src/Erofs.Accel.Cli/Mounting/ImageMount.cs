using Erofs.Accel.Cli.Commands;
using Erofs.Accel.Core.Storage;
using Erofs.Accel.Fuse;
using Erofs.Accel.Mount;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Cli.Mounting;

/// <summary>
/// An image served on its mount point: the one place where a mount starts. Opens the image and its devices, refuses
/// an image whose data cannot all be read (a corrupt root, a missing or short extra device) before anything is
/// mounted, then mounts it and starts the FUSE server. Dispose unmounts and closes everything.
/// </summary>
internal sealed class ImageMount : IDisposable
{
    private ImageMount(ImageSession session, FuseServer server)
    {
        Session = session;
        Server = server;
    }

    public ImageSession Session { get; }
    public FuseServer Server { get; }

    public static ImageMount Start(MountOptions options, ILogger logger)
    {
        var session = ImageArguments.Open(options.Image, options.Settings, logger);
        try
        {
            // a corrupt image fails here, before anything is mounted
            _ = session.Image.ListDirectory(session.Image.Root).Take(2).ToList();
            CheckDevices(session, logger);
            try
            {
                return new ImageMount(session, FuseServer.Mount(new ErofsFileSystem(session.Image, readAheadAcrossFiles: options.Prefill), options.ToServerOptions(logger)));
            }
            catch (FuseMountException e)
            {
                throw new IOException(e.Message, e);
            }
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Every device the device table names must be given and large enough; a larger one is a warning.</summary>
    public static void CheckDevices(ImageSession session, ILogger logger)
    {
        var problems = DeviceCheck.Find(session.Image);
        foreach (var p in problems.Where(p => !p.Fatal)) logger.LogWarning("{Message}", p.Message);
        var fatal = problems.Where(p => p.Fatal).Select(p => p.Message).ToList();
        if (fatal.Count > 0) throw new IOException(string.Join("; ", fatal));
    }

    public void Dispose()
    {
        Server.Dispose();
        Session.Dispose();
    }
}
