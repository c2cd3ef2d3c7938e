namespace Erofs.Accel.Fuse.Protocol;

/// <summary>
/// INIT capability bits. Bits 0..31 travel in <c>flags</c>; bits 32..63 travel in <c>flags2</c> and only when both
/// sides set <see cref="InitExtended"/>.
/// </summary>
[Flags]
internal enum FuseInitFlags : ulong
{
    None = 0,
    AsyncRead = 1UL << 0,
    PosixLocks = 1UL << 1,
    FileOps = 1UL << 2,
    AtomicOTrunc = 1UL << 3,
    ExportSupport = 1UL << 4,
    BigWrites = 1UL << 5,
    DontMask = 1UL << 6,
    SpliceWrite = 1UL << 7,
    SpliceMove = 1UL << 8,
    SpliceRead = 1UL << 9,
    FlockLocks = 1UL << 10,
    HasIoctlDir = 1UL << 11,
    AutoInvalData = 1UL << 12,
    DoReadDirPlus = 1UL << 13,
    ReadDirPlusAuto = 1UL << 14,
    AsyncDirectIo = 1UL << 15,
    WritebackCache = 1UL << 16,
    NoOpenSupport = 1UL << 17,
    ParallelDirOps = 1UL << 18,
    HandleKillPriv = 1UL << 19,
    PosixAcl = 1UL << 20,
    AbortError = 1UL << 21,
    MaxPages = 1UL << 22,
    CacheSymlinks = 1UL << 23,
    NoOpenDirSupport = 1UL << 24,
    ExplicitInvalData = 1UL << 25,
    MapAlignment = 1UL << 26,
    Submounts = 1UL << 27,
    HandleKillPrivV2 = 1UL << 28,
    SetXattrExt = 1UL << 29,
    InitExtended = 1UL << 30,
    InitReserved = 1UL << 31,
    SecurityContext = 1UL << 32,
    HasInodeDax = 1UL << 33,
    CreateSuppGroup = 1UL << 34,
    HasExpireOnly = 1UL << 35,
    DirectIoAllowMmap = 1UL << 36,
    Passthrough = 1UL << 37,
    NoExportSupport = 1UL << 38,
    HasResend = 1UL << 39,
    AllowIdmap = 1UL << 40,
    /// <summary>Requests may travel through io_uring (struct fuse_uring_*); offered while enable_uring is on.</summary>
    OverIoUring = 1UL << 41,
}
