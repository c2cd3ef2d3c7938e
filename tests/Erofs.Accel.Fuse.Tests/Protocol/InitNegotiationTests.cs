using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Server;
using Erofs.Accel.Fuse.Tests.TestSupport;

namespace Erofs.Accel.Fuse.Tests.Protocol;

public sealed class InitNegotiationTests
{
    private static readonly InitSettings Defaults = FuseServer.InitSettingsFrom(new FuseServerOptions { MountPoint = "/unused" });

    [Fact]
    public void TakesTheLowerMinorVersion()
    {
        Assert.Equal(InitOutcome.Accepted, Negotiate(minor: 45, out var newer, out _));
        Assert.Equal(InitNegotiation.ProtocolMinor, newer.Minor);
        Assert.Equal(InitOutcome.Accepted, Negotiate(minor: 31, out var older, out var session));
        Assert.Equal(31u, older.Minor);
        Assert.Equal(31u, session!.Minor);
        Assert.Equal(7u, older.Major);
    }

    [Fact]
    public void OffersOnlyImplementedCapabilitiesTheKernelHas()
    {
        Negotiate(minor: 45, out var reply, out var session);
        var agreed = (FuseInitFlags)reply.Flags | (FuseInitFlags)((ulong)reply.Flags2 << 32);
        // READDIRPLUS always, not ReadDirPlusAuto: every listing hands the kernel the nodes, so opening the files
        // listed needs no LOOKUP each
        var expected = FuseInitFlags.AsyncRead | FuseInitFlags.ParallelDirOps | FuseInitFlags.DoReadDirPlus
            | FuseInitFlags.CacheSymlinks | FuseInitFlags.MaxPages
            | FuseInitFlags.NoOpenSupport | FuseInitFlags.NoOpenDirSupport | FuseInitFlags.PosixAcl | FuseInitFlags.InitExtended;
        Assert.Equal(expected, agreed);
        Assert.Equal(expected, session!.Flags);
        Assert.Equal(0u, reply.Flags2);
        Assert.True(session.NoOpen);
        Assert.True(session.NoOpenDir);
        // nothing that would change the filesystem or need unimplemented machinery
        Assert.Equal(FuseInitFlags.None, agreed & (FuseInitFlags.WritebackCache | FuseInitFlags.PosixLocks | FuseInitFlags.FlockLocks
            | FuseInitFlags.SpliceRead | FuseInitFlags.SpliceWrite | FuseInitFlags.SpliceMove | FuseInitFlags.AutoInvalData
            | FuseInitFlags.ExportSupport | FuseInitFlags.SecurityContext));
    }

    [Fact]
    public void NeverClaimsWhatTheKernelDidNotOffer()
    {
        var offered = (uint)(FuseInitFlags.AsyncRead | FuseInitFlags.MaxPages);
        Negotiate(minor: 38, out var reply, out var session, flags: offered, flags2: 0xFFFF_FFFF);
        Assert.Equal(offered, reply.Flags);
        Assert.Equal(0u, reply.Flags2);
        Assert.False(session!.NoOpen);
    }

    [Fact]
    public void MaxPagesCoversOneMebibyteReads()
    {
        Negotiate(minor: 45, out var reply, out var session);
        Assert.Equal((ushort)((1 << 20) / Math.Max(Environment.SystemPageSize, 4096)), reply.MaxPages);
        Assert.Equal(reply.MaxPages, session!.MaxPages);
        Assert.Equal(InitNegotiation.MinimumMaxWrite, reply.MaxWrite);
        Assert.Equal(1u, reply.TimeGranularity);
        Assert.Equal(64, reply.MaxBackground);
        Assert.Equal(48, reply.CongestionThreshold);
    }

    [Fact]
    public void ReadaheadAnswerNeverExceedsTheKernelsOffer()
    {
        Negotiate(minor: 45, out var small, out _, readahead: 128 * 1024);
        Assert.Equal(128u * 1024, small.MaxReadahead);
        Negotiate(minor: 45, out var large, out _, readahead: 16 << 20);
        Assert.Equal(1u << 20, large.MaxReadahead);
    }

    [Fact]
    public void OptionsSwitchFeaturesOff()
    {
        var settings = FuseServer.InitSettingsFrom(new FuseServerOptions
        {
            MountPoint = "/unused",
            ReadDirPlus = false,
            ZeroMessageOpen = false,
            PosixAcl = false,
        });
        var init = new FuseInitIn { Major = 7, Minor = 45, Flags = DispatcherHarness.KernelFlags, Flags2 = DispatcherHarness.KernelFlags2 };
        InitNegotiation.Negotiate(init, settings, out var reply, out _);
        var agreed = (FuseInitFlags)reply.Flags;
        Assert.Equal(FuseInitFlags.None, agreed & (FuseInitFlags.DoReadDirPlus | FuseInitFlags.ReadDirPlusAuto | FuseInitFlags.NoOpenSupport
            | FuseInitFlags.NoOpenDirSupport | FuseInitFlags.PosixAcl));
    }

    [Fact]
    public void OpenDirReachesTheServerWhenFusermountWatchesForAutoUnmount()
    {
        // fusermount3 decides that the server is gone when opening the mount point fails with ENOTCONN: with
        // zero-message OPENDIR the kernel would answer that open from its cache and the dead mount would stay
        var settings = Defaults with { ZeroMessageOpenDir = false };
        var init = new FuseInitIn { Major = 7, Minor = 45, Flags = DispatcherHarness.KernelFlags, Flags2 = DispatcherHarness.KernelFlags2 };
        InitNegotiation.Negotiate(init, settings, out var reply, out var session);
        var agreed = (FuseInitFlags)reply.Flags;
        Assert.Equal(FuseInitFlags.NoOpenSupport, agreed & (FuseInitFlags.NoOpenSupport | FuseInitFlags.NoOpenDirSupport));
        Assert.True(session!.NoOpen);
        Assert.False(session.NoOpenDir);
    }

    [Fact]
    public void FlagsInFlags2AreIgnoredWithoutInitExt()
    {
        var flags = DispatcherHarness.KernelFlags & ~(uint)FuseInitFlags.InitExtended;
        Negotiate(minor: 45, out var reply, out var session, flags: flags, flags2: 0xFFFF_FFFF);
        Assert.Equal(0u, reply.Flags & (uint)FuseInitFlags.InitExtended);
        Assert.Equal(0u, reply.Flags2);
        Assert.Equal(FuseInitFlags.None, session!.Flags & (FuseInitFlags)0xFFFF_FFFF_0000_0000);
    }

    [Fact]
    public void NewerMajorGetsOurVersionOnly()
    {
        var init = new FuseInitIn { Major = 8, Minor = 1, Flags = DispatcherHarness.KernelFlags };
        Assert.Equal(InitOutcome.MajorTooNew, InitNegotiation.Negotiate(init, Defaults, out var reply, out var session));
        Assert.Null(session);
        Assert.Equal(7u, reply.Major);
        Assert.Equal(InitNegotiation.ProtocolMinor, reply.Minor);
        Assert.Equal(0u, reply.Flags);
    }

    [Theory]
    [InlineData(6u, 40u)]
    [InlineData(7u, 22u)]
    [InlineData(7u, 8u)]
    public void OldKernelsAreRefused(uint major, uint minor)
    {
        var init = new FuseInitIn { Major = major, Minor = minor, Flags = DispatcherHarness.KernelFlags };
        Assert.Equal(InitOutcome.Unsupported, InitNegotiation.Negotiate(init, Defaults, out _, out var session));
        Assert.Null(session);
    }

    [Fact]
    public void IoUringIsAgreedOnlyWhenBothSidesWantIt()
    {
        const uint uringBit = 1u << 9; // FUSE_OVER_IO_URING: bit 41, bit 9 of flags2
        var wanting = Defaults with { OfferIoUring = true };
        var offered = new FuseInitIn { Major = 7, Minor = 45, MaxReadahead = 1 << 20, Flags = DispatcherHarness.KernelFlags, Flags2 = DispatcherHarness.KernelFlags2 | uringBit };

        InitNegotiation.Negotiate(offered, wanting, out var reply, out var session);
        Assert.Equal(uringBit, reply.Flags2 & uringBit);
        Assert.True(session!.OverIoUring);

        // the kernel did not offer it (enable_uring off when it sent INIT)
        InitNegotiation.Negotiate(offered with { Flags2 = DispatcherHarness.KernelFlags2 & ~uringBit }, wanting, out reply, out session);
        Assert.Equal(0u, reply.Flags2 & uringBit);
        Assert.False(session!.OverIoUring);

        // the server has no rings ready
        InitNegotiation.Negotiate(offered, Defaults, out reply, out session);
        Assert.Equal(0u, reply.Flags2 & uringBit);
        Assert.False(session!.OverIoUring);
    }

    private static InitOutcome Negotiate(uint minor, out FuseInitOut reply, out NegotiatedSession? session,
        uint flags = DispatcherHarness.KernelFlags, uint flags2 = DispatcherHarness.KernelFlags2, uint readahead = 16 << 20)
    {
        var init = new FuseInitIn { Major = 7, Minor = minor, MaxReadahead = readahead, Flags = flags, Flags2 = flags2 };
        return InitNegotiation.Negotiate(init, Defaults, out reply, out session);
    }
}
