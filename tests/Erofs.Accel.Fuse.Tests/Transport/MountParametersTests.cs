using Erofs.Accel.Fuse.Transport;

namespace Erofs.Accel.Fuse.Tests.Transport;

public sealed class MountParametersTests
{
    [Fact]
    public void KernelMountDataNamesTheDeviceAndLimits()
    {
        var parameters = new MountParameters("/mnt/x", "/images/a.erofs", "erofs-accel", AllowOther: true, 1 << 20, 1000, 100);
        Assert.Equal("fuse.erofs-accel", parameters.KernelFileSystemType);
        Assert.Equal(
            "fd=7,rootmode=40000,user_id=1000,group_id=100,default_permissions,allow_other,max_read=1048576",
            parameters.KernelMountData(7));
        var private_ = parameters with { AllowOther = false, Subtype = "" };
        Assert.Equal("fuse", private_.KernelFileSystemType);
        Assert.DoesNotContain("allow_other", private_.KernelMountData(3));
    }

    [Fact]
    public void FusermountOptionsAreReadOnlyAndEscaped()
    {
        var parameters = new MountParameters("/mnt/x", @"/img/a,b\c.erofs", "erofs-accel", AllowOther: false, 65536, 0, 0);
        var options = parameters.FusermountOptions();
        Assert.StartsWith("ro,nosuid,nodev,default_permissions,auto_unmount", options);
        Assert.Contains("max_read=65536", options);
        Assert.Contains("subtype=erofs-accel", options);
        Assert.EndsWith(@"fsname=/img/a\,b\\c.erofs", options);
        Assert.DoesNotContain("allow_other", options);
    }

    [Fact]
    public void AutoUnmountAndNoExecAreOptions()
    {
        var parameters = new MountParameters("/mnt/x", "/img", "erofs-accel", AllowOther: false, 65536, 0, 0) { AutoUnmount = false, NoExec = true };
        Assert.DoesNotContain("auto_unmount", parameters.FusermountOptions());
        Assert.Contains(",noexec", parameters.FusermountOptions());
        Assert.Equal(Erofs.Accel.Interop.Libc.MS_RDONLY | Erofs.Accel.Interop.Libc.MS_NOSUID | Erofs.Accel.Interop.Libc.MS_NODEV | Erofs.Accel.Interop.Libc.MS_NOEXEC,
            parameters.KernelMountFlags);
        Assert.Contains("auto_unmount", (parameters with { AutoUnmount = true }).FusermountOptions());
    }

    [Theory]
    [InlineData("# user_allow_other\nmount_max = 1000\n", false)]
    [InlineData("mount_max = 1000\n  user_allow_other  \n", true)]
    [InlineData("", false)]
    public void UserAllowOtherIsReadFromFuseConf(string text, bool allowed)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, text);
            Assert.Equal(allowed, FuseConfiguration.UserAllowOther(path));
        }
        finally
        {
            File.Delete(path);
        }
        Assert.False(FuseConfiguration.UserAllowOther(path));
    }

    [Fact]
    public void ConnectionNamesAreKernelDeviceNumbers()
    {
        Assert.Equal("39", FuseConnectionControl.ConnectionName(0, 39));
        Assert.Equal("1048577", FuseConnectionControl.ConnectionName(1, 1));
    }
}
