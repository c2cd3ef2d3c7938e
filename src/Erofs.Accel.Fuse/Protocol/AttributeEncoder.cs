namespace Erofs.Accel.Fuse.Protocol;

/// <summary>Fills the wire structs that carry attributes (fuse_attr, fuse_entry_out, fuse_attr_out).</summary>
internal static class AttributeEncoder
{
    public const uint DefaultBlockSize = 4096;

    public static void Fill(ref FuseAttr target, in NodeAttributes source)
    {
        target.Inode = source.Inode;
        target.FileSize = source.Size;
        target.Blocks = source.Blocks != 0 ? source.Blocks : (source.Size + 511) / 512;
        target.AccessTime = (ulong)source.AccessTimeSeconds;
        target.ModificationTime = (ulong)source.ModificationTimeSeconds;
        target.ChangeTime = (ulong)source.ChangeTimeSeconds;
        target.AccessTimeNanoseconds = Math.Min(source.AccessTimeNanoseconds, 999_999_999u);
        target.ModificationTimeNanoseconds = Math.Min(source.ModificationTimeNanoseconds, 999_999_999u);
        target.ChangeTimeNanoseconds = Math.Min(source.ChangeTimeNanoseconds, 999_999_999u);
        target.Mode = source.Mode;
        target.LinkCount = source.LinkCount == 0 ? 1 : source.LinkCount;
        target.UserId = source.UserId;
        target.GroupId = source.GroupId;
        target.DeviceNumber = source.DeviceNumber;
        target.BlockSize = source.BlockSize != 0 ? source.BlockSize : DefaultBlockSize;
        target.Flags = 0;
    }

    public static void FillEntry(ref FuseEntryOut target, ulong nodeId, in NodeAttributes source, in CacheTimeouts timeouts)
    {
        target.NodeId = nodeId;
        target.Generation = 0;
        target.EntryValidSeconds = timeouts.EntrySeconds;
        target.EntryValidNanoseconds = timeouts.EntryNanoseconds;
        target.AttrValidSeconds = timeouts.AttributeSeconds;
        target.AttrValidNanoseconds = timeouts.AttributeNanoseconds;
        Fill(ref target.Attr, source);
    }
}
