namespace Erofs.Accel.Fuse.Protocol;

/// <summary>FOPEN_* bits of an OPEN/OPENDIR reply.</summary>
[Flags]
internal enum FuseOpenReplyFlags : uint
{
    None = 0,
    DirectIo = 1 << 0,
    KeepCache = 1 << 1,
    NonSeekable = 1 << 2,
    CacheDir = 1 << 3,
    Stream = 1 << 4,
    NoFlush = 1 << 5,
}
