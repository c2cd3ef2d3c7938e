using Erofs.Accel.Cli.Commands;
using Erofs.Accel.Cli.Mounting;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Cli.Tests;

/// <summary>The -o option table of mount: every option accepted or refused as erofs-accel(8) documents it.</summary>
public sealed class MountOptionsTests
{
    private const string Usage = "mount IMAGE DIR";

    private static MountOptions Parse(params string[] args) => MountArguments.Parse(args, Usage).Options;

    /// <summary>Records compare lists by reference: compare the devices as sequences and the rest as values.</summary>
    private static void AssertSame(MountOptions expected, MountOptions actual)
    {
        Assert.Equal(expected.Settings.Devices, actual.Settings.Devices);
        Assert.Equal(expected with { Settings = expected.Settings with { Devices = [] } }, actual with { Settings = actual.Settings with { Devices = [] } });
    }

    private static readonly Dictionary<string, string> SampleValues = new()
    {
        ["device"] = "/images/a.blob", ["offset"] = "4096", ["accel"] = "software", ["cache_mb"] = "64",
        ["max_inflight"] = "32", ["max_workers"] = "4", ["max_read"] = "131072", ["fsname"] = "app", ["subtype"] = "erofs-test",
        ["log"] = "syslog", ["uring"] = "off", ["sandbox"] = "off", ["prefill"] = "off",
    };

    public static TheoryData<string> OptionNames() => new(MountOptionTable.Options.Select(o => o.Name));

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void EveryDocumentedOptionIsAccepted(string name)
    {
        var option = MountOptionTable.Options.Single(o => o.Name == name);
        var text = option.Value is null ? name : $"{name}={SampleValues[name]}";
        Parse("img", "dir", "-o", text);
        // a flag given a value, or a value option given none, is refused with its name
        var wrong = option.Value is null ? $"{name}=1" : name;
        var e = Assert.Throws<UsageException>(() => Parse("img", "dir", "-o", wrong));
        Assert.Contains(name, e.Message);
    }

    [Theory]
    [InlineData(new string[0], Erofs.Accel.Fuse.FuseTransport.Automatic)]
    [InlineData(new[] { "-o", "uring=on" }, Erofs.Accel.Fuse.FuseTransport.IoUring)]
    [InlineData(new[] { "-o", "uring=off" }, Erofs.Accel.Fuse.FuseTransport.Classic)]
    [InlineData(new[] { "--transport", "uring" }, Erofs.Accel.Fuse.FuseTransport.IoUring)]
    [InlineData(new[] { "--transport", "classic" }, Erofs.Accel.Fuse.FuseTransport.Classic)]
    [InlineData(new[] { "--transport", "auto" }, Erofs.Accel.Fuse.FuseTransport.Automatic)]
    public void UringAndTransportChooseTheServersTransport(string[] extra, Erofs.Accel.Fuse.FuseTransport expected)
    {
        var o = Parse(["img", "dir", .. extra]);
        Assert.Equal(expected, o.Transport);
        Assert.Equal(expected, o.ToServerOptions(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Transport);
        // the background server gets the same choice back
        Assert.Equal(expected, Parse([.. o.ToArguments()]).Transport);
    }

    [Fact]
    public void AnUnknownTransportIsRefusedWithItsName()
    {
        var e = Assert.Throws<UsageException>(() => Parse("img", "dir", "--transport", "carrier-pigeon"));
        Assert.Contains("carrier-pigeon", e.Message);
    }

    [Fact]
    public void OptionsSetWhatTheySay()
    {
        var o = Parse("img", "dir", "-o", @"ro,allow_other,device=/a/one\,blob,device=/a/two.tar,offset=8192,accel=qpl+qat,cache_mb=0",
            "-o", "max_inflight=8,max_workers=3,max_read=65536,fsname=my-app,subtype=x.y,noexec,log=/var/log/x.log,uring=on");
        Assert.True(o.AllowOther);
        Assert.Equal(["/a/one,blob", "/a/two.tar"], o.Settings.Devices);
        Assert.Equal(8192, o.Settings.Offset);
        Assert.Equal("qpl,qat", o.Settings.Accel);
        Assert.Equal(0, o.Settings.CacheMegabytes);
        Assert.Equal(8, o.Settings.MaxInflight);
        Assert.Equal(3, o.MaxWorkers);
        Assert.Equal(65536, o.MaxReadBytes);
        Assert.Equal("my-app", o.Source);
        Assert.Equal("x.y", o.Subtype);
        Assert.True(o.NoExec);
        Assert.Equal("/var/log/x.log", o.Log);
        Assert.True(o.Uring);
        var server = o.ToServerOptions(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.True(server.AllowOther);
        Assert.True(server.NoExec);
        Assert.Equal("my-app", server.Source);
        Assert.Equal(3, server.MaxWorkers);
    }

    [Fact]
    public void AllowOtherIsOffUnlessAsked()
    {
        var o = Parse("img", "dir");
        Assert.False(o.AllowOther);
        Assert.False(o.ToServerOptions(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).AllowOther);
        Assert.Equal(Path.GetFullPath("img"), o.Source);
    }

    [Theory]
    [InlineData("bogus", "unknown option bogus")]
    [InlineData("suid", "option suid is not supported")]
    [InlineData("dev", "option dev is not supported")]
    [InlineData("uid=0", "option uid is not supported")]
    [InlineData("gid=0", "option gid is not supported")]
    [InlineData("umask=022", "option umask is not supported")]
    [InlineData("cache_mb=-1", "cache_mb= needs a whole number from 0 to 65536")]
    [InlineData("max_workers=0", "max_workers= needs a whole number from 1 to 256")]
    [InlineData("max_read=100", "max_read= needs a whole number from 4096")]
    [InlineData("offset=12k", "offset= needs a byte offset")]
    [InlineData("accel=warp", "accel=")]
    [InlineData("uring=maybe", "uring= takes on or off")]
    [InlineData("subtype=a/b", "subtype= takes letters")]
    [InlineData("device=", "device= needs a value")]
    [InlineData("ro,noatime,allow_other=yes", "allow_other takes no value")]
    public void BadOptionsAreRefusedWithTheirName(string options, string message)
    {
        var e = Assert.Throws<UsageException>(() => Parse("img", "dir", "-o", options));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void FstabWordsAreAcceptedAndIgnored()
    {
        var words = string.Join(',', MountOptionTable.Ignored.Append("x-systemd.automount").Append("comment=hello").Append("nosuid,nodev,auto_unmount,default_permissions,exec"));
        var o = Parse("img", "dir", "-o", words);
        AssertSame(Parse("img", "dir"), o);
    }

    [Fact]
    public void TheBackgroundServerGetsTheSameOptionsBack()
    {
        var o = Parse("img", "dir", "-o", @"allow_other,device=/x\,y.blob,device=/z.tar,offset=1,accel=qpl+opencl,cache_mb=7,max_inflight=9,max_workers=5",
            "-o", "max_read=8192,fsname=a\\,b,subtype=s,noexec,log=syslog,uring=off,sandbox=off,prefill=off", "-v", "--foreground");
        Assert.False(o.Prefill);
        Assert.False(o.ToServerOptions(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).PrefillPageCache);
        AssertSame(o, Parse([.. o.ToArguments()]));
    }

    [Fact]
    public void CommandLineOptionsAndDashOAgree()
    {
        var a = Parse("img", "dir", "--device", "/b1", "--offset", "512", "--accel", "software", "--cache-mb", "3", "--max-inflight", "4", "--max-workers", "2", "--log", "f.log", "--no-sandbox");
        var b = Parse("img", "dir", "-o", "device=/b1,offset=512,accel=software,cache_mb=3,max_inflight=4,max_workers=2,log=f.log,sandbox=off");
        AssertSame(a, b);
    }

    [Fact]
    public void MountHelperConventionOfMount8()
    {
        // mount(8): /sbin/mount.fuse.erofs-accel SPEC DIR [-sfnv] [-N NS] [-o OPTIONS] [-t TYPE]
        var parsed = MountArguments.Parse([MountArguments.HelperFlag, "/img", "/mnt", "-n", "-v", "-t", "fuse.erofs-accel", "-o", "ro,nofail,device=/b"], Usage);
        Assert.Equal("/img", parsed.Options.Image);
        Assert.Equal("/mnt", parsed.Options.MountPoint);
        Assert.Equal(["/b"], parsed.Options.Settings.Devices);
        Assert.True(parsed.Options.Settings.Verbose);
        Assert.False(parsed.Options.Fake);
        Assert.False(parsed.Options.Foreground);

        Assert.True(MountArguments.Parse([MountArguments.HelperFlag, "/img", "/mnt", "-f"], Usage).Options.Fake);
        Assert.Throws<UsageException>(() => MountArguments.Parse([MountArguments.HelperFlag, "/img", "/mnt", "-o", "frobnicate"], Usage));
        var sloppy = MountArguments.Parse([MountArguments.HelperFlag, "/img", "/mnt", "-s", "-o", "frobnicate"], Usage);
        Assert.Contains(sloppy.Warnings, w => w.Contains("frobnicate"));
        Assert.Throws<UsageException>(() => MountArguments.Parse([MountArguments.HelperFlag, "/img", "/mnt", "-s", "-o", "suid"], Usage));
        var ns = Assert.Throws<UsageException>(() => MountArguments.Parse([MountArguments.HelperFlag, "/img", "/mnt", "-N", "/proc/1/ns/mnt"], Usage));
        Assert.Contains("-N", ns.Message);
    }

    [Fact]
    public void UnknownOptionThroughTheCliIsAUsageErrorNamingIt()
    {
        var (exit, _, err) = CliRunner.Run("mount", "/nonexistent.erofs", "/nonexistent-dir", "-o", "ro,frobnicate");
        Assert.Equal(2, exit);
        Assert.Contains("unknown option frobnicate", err);
    }

    [Fact]
    public void HelpAndManPageCoverEveryOption()
    {
        var (exit, help, _) = CliRunner.Run("help", "mount");
        Assert.Equal(0, exit);
        var man = File.ReadAllText(Path.Combine(TestCorpus.RepoRoot, "docs", "man", "erofs-accel.8")).Replace("\\-", "-");
        var admin = File.ReadAllText(Path.Combine(TestCorpus.RepoRoot, "docs", "admin.md"));
        foreach (var option in MountOptionTable.Options)
        {
            Assert.Contains(option.Name, help);
            Assert.Contains(option.Name, man);
            Assert.Contains($"`{option.Name}", admin);
        }
        foreach (var word in MountOptionTable.Ignored.Concat(MountOptionTable.Refused.Keys))
        {
            Assert.Contains(word, man);
            Assert.Contains(word, admin);
        }
    }
}
