using System.Diagnostics;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

/// <summary>Runs host tools (mkfs.erofs, setfacl, mount, setpriv) the way a user would, with a timeout.</summary>
internal static class HostTools
{
    /// <summary>Debian's mkfs.erofs (erofs-utils, what CI installs), not a newer one on PATH.</summary>
    public const string MkfsErofs = "/usr/bin/mkfs.erofs";

    public static void Require(string program, string package)
    {
        if (!File.Exists(program)) Assert.Skip($"{program} is missing (package {package}; scripts/install-deps.sh --test installs it)");
    }

    public static (int Code, string Output, string Errors) Run(string program, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "/",
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(180_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} timed out");
        }
        return (p.ExitCode, output.Result, errors.Result);
    }

    /// <summary>Runs and asserts success; returns standard output.</summary>
    public static string Check(string program, params string[] arguments)
    {
        var (code, output, errors) = Run(program, arguments);
        Assert.True(code == 0, $"{program} {string.Join(' ', arguments)} failed ({code}): {errors}");
        return output;
    }

    public static void Chmod(string path, string octalMode) => Check("/bin/chmod", octalMode, path);

    /// <summary>Builds an uncompressed image of <paramref name="sourceDirectory"/> with Debian's mkfs.erofs.</summary>
    public static void BuildImage(string sourceDirectory, string imagePath)
    {
        Require(MkfsErofs, "erofs-utils");
        Check(MkfsErofs, imagePath, sourceDirectory);
    }
}

/// <summary>Who runs a probe: ids for setpriv, which leaves every capability behind when the user id is not 0.</summary>
internal sealed record Identity(string Name, uint UserId, uint GroupId, uint[] Groups, bool WithoutSysAdmin = false)
{
    public static readonly Identity Root = new("root", 0, 0, []);
    public static readonly Identity RootWithoutSysAdmin = new("root-without-CAP_SYS_ADMIN", 0, 0, [], WithoutSysAdmin: true);
    public static readonly Identity Nobody = new("nobody", 65534, 65534, []);

    /// <summary>Runs a bash script as this identity in <paramref name="directory"/>; returns what it printed (both streams).</summary>
    public string RunScript(string directory, string script)
    {
        var arguments = new List<string>();
        if (UserId != 0 || GroupId != 0 || Groups.Length > 0)
        {
            arguments.Add($"--reuid={UserId}");
            arguments.Add($"--regid={GroupId}");
            arguments.Add(Groups.Length == 0 ? "--clear-groups" : "--groups=" + string.Join(',', Groups));
        }
        if (WithoutSysAdmin) arguments.Add("--bounding-set=-sys_admin");
        arguments.AddRange(["/bin/bash", "-c", script]);
        HostTools.Require("/usr/bin/setpriv", "util-linux");
        var (_, output, errors) = HostTools.Run("/usr/bin/setpriv", arguments, directory);
        return output + errors;
    }

    public override string ToString() => Name;
}

/// <summary>The kernel's own EROFS mount of an image (read-only), the reference every comparison is made against.</summary>
internal sealed class KernelMount : IDisposable
{
    public KernelMount(string imagePath)
    {
        MountedImage.RequireFuseAndRoot();
        MountPoint = TestPaths.NewTempDirectory("kmnt");
        var (code, _, errors) = HostTools.Run("/usr/bin/mount", ["-t", "erofs", "-o", "ro", imagePath, MountPoint]);
        if (code != 0)
        {
            Directory.Delete(MountPoint);
            Assert.Skip($"the kernel cannot mount EROFS images here: {errors.Trim()}");
        }
    }

    public string MountPoint { get; }

    public void Dispose()
    {
        HostTools.Run("/usr/bin/umount", [MountPoint]);
        if (MountedImage.IsMounted(MountPoint)) Native.umount2(MountPoint, 2 /* MNT_DETACH */);
        try { Directory.Delete(MountPoint); } catch (IOException) { }
    }
}

/// <summary>A temporary source tree and the image built from it, removed on dispose.</summary>
internal sealed class ScratchImage : IDisposable
{
    public ScratchImage(string label)
    {
        Root = TestPaths.NewTempDirectory(label);
        // the probes run as other users: they must reach the image's mount points and nothing else here matters
        HostTools.Chmod(Root, "0755");
        Source = Path.Combine(Root, "tree");
        Directory.CreateDirectory(Source);
        HostTools.Chmod(Source, "0755");
        ImagePath = Path.Combine(Root, "image.erofs");
    }

    public string Root { get; }
    public string Source { get; }
    public string ImagePath { get; }

    public string PathOf(string relative) => Path.Combine(Source, relative);

    public void Build() => HostTools.BuildImage(Source, ImagePath);

    public void Dispose() => TestPaths.DeleteTree(Root);
}
