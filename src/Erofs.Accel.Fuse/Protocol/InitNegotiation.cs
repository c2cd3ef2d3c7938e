namespace Erofs.Accel.Fuse.Protocol;

/// <summary>What the server would like from INIT; the outcome is the intersection with what the kernel offers.</summary>
internal readonly record struct InitSettings(
    int MaxReadBytes,
    int MaxReadaheadBytes,
    bool ReadDirPlus,
    bool ReadDirPlusAuto,
    bool ZeroMessageOpen,
    bool PosixAcl,
    ushort MaxBackground,
    int PageSize);

/// <summary>The agreed protocol: minor version and capability bits both sides accepted.</summary>
internal sealed record NegotiatedSession(uint Major, uint Minor, FuseInitFlags Flags, uint MaxReadahead, int MaxPages)
{
    public bool NoOpen => (Flags & FuseInitFlags.NoOpenSupport) != 0;

    public bool NoOpenDir => (Flags & FuseInitFlags.NoOpenDirSupport) != 0;
}

/// <summary>Result of looking at one INIT request.</summary>
internal enum InitOutcome
{
    /// <summary>Reply sent with the agreed parameters; the session is up.</summary>
    Accepted,
    /// <summary>The kernel speaks a newer major version: answer with ours and wait for another INIT.</summary>
    MajorTooNew,
    /// <summary>The kernel is too old: answer EPROTO.</summary>
    Unsupported,
}

/// <summary>INIT negotiation: take the lower minor version and offer only implemented capabilities.</summary>
internal static class InitNegotiation
{
    public const uint ProtocolMajor = 7;
    /// <summary>Newest minor version whose structs this server knows.</summary>
    public const uint ProtocolMinor = 38;
    /// <summary>Oldest minor version accepted (Linux 3.15): full-size entry/attr structs and the 64-byte INIT reply.</summary>
    public const uint MinimumMinor = 23;
    public const uint MinimumMaxWrite = 4096;

    /// <summary>Capabilities this server implements (and wants) regardless of settings.</summary>
    public const FuseInitFlags AlwaysWanted =
        FuseInitFlags.AsyncRead | FuseInitFlags.ParallelDirOps | FuseInitFlags.CacheSymlinks | FuseInitFlags.MaxPages;

    public static InitOutcome Negotiate(in FuseInitIn request, in InitSettings settings, out FuseInitOut reply, out NegotiatedSession? session)
    {
        reply = default;
        session = null;
        if (request.Major > ProtocolMajor)
        {
            reply.Major = ProtocolMajor;
            reply.Minor = ProtocolMinor;
            return InitOutcome.MajorTooNew;
        }
        if (request.Major < ProtocolMajor || request.Minor < MinimumMinor) return InitOutcome.Unsupported;

        var offered = (FuseInitFlags)request.Flags;
        if ((offered & FuseInitFlags.InitExtended) != 0) offered |= (FuseInitFlags)((ulong)request.Flags2 << 32);

        var wanted = AlwaysWanted;
        if (settings.ReadDirPlus)
        {
            wanted |= FuseInitFlags.DoReadDirPlus;
            if (settings.ReadDirPlusAuto) wanted |= FuseInitFlags.ReadDirPlusAuto;
        }
        if (settings.ZeroMessageOpen) wanted |= FuseInitFlags.NoOpenSupport | FuseInitFlags.NoOpenDirSupport;
        // the kernel then checks POSIX ACLs itself (with default_permissions), reading system.posix_acl_access and
        // system.posix_acl_default through GETXATTR
        if (settings.PosixAcl) wanted |= FuseInitFlags.PosixAcl;
        if ((offered & FuseInitFlags.InitExtended) != 0) wanted |= FuseInitFlags.InitExtended;
        var agreed = offered & wanted;

        var pageSize = Math.Max(settings.PageSize, 4096);
        var maxPages = (agreed & FuseInitFlags.MaxPages) != 0 ? Math.Clamp(settings.MaxReadBytes / pageSize, 1, ushort.MaxValue) : 0;
        var minor = Math.Min(request.Minor, ProtocolMinor);
        var readahead = Math.Min(request.MaxReadahead, (uint)Math.Max(settings.MaxReadaheadBytes, 0));

        reply.Major = ProtocolMajor;
        reply.Minor = minor;
        reply.MaxReadahead = readahead;
        reply.Flags = (uint)((ulong)agreed & 0xFFFF_FFFF);
        reply.Flags2 = (agreed & FuseInitFlags.InitExtended) != 0 ? (uint)((ulong)agreed >> 32) : 0;
        reply.MaxBackground = settings.MaxBackground;
        reply.CongestionThreshold = (ushort)(settings.MaxBackground * 3 / 4);
        reply.MaxWrite = MinimumMaxWrite;
        reply.TimeGranularity = 1;
        reply.MaxPages = (ushort)maxPages;

        session = new NegotiatedSession(ProtocolMajor, minor, agreed, readahead, maxPages);
        return InitOutcome.Accepted;
    }
}
