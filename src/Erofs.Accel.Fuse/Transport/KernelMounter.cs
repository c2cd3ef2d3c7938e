using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Transport;

/// <summary>Mounts with mount(2) directly: needs CAP_SYS_ADMIN (root).</summary>
internal static class KernelMounter
{
    public static FuseDevice Mount(MountParameters parameters)
    {
        var device = FuseDevice.Open();
        try
        {
            var result = Libc.Mount(
                parameters.Source,
                parameters.MountPoint,
                parameters.KernelFileSystemType,
                parameters.KernelMountFlags,
                parameters.KernelMountData(device.Descriptor));
            if (result != 0)
            {
                var error = Libc.LastError;
                throw new FuseMountException($"cannot mount on {parameters.MountPoint}: {Libc.Describe(error)}", error);
            }
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }
}
