using System.Runtime.InteropServices;
using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse;

/// <summary>
/// Unsolicited messages to the kernel, for filesystems whose tree changes while mounted (names, attributes and negative
/// lookups are otherwise cached for <see cref="FuseServerOptions.EntryTimeout"/>). Call them from outside request
/// handlers: the kernel locks the parent directory while it processes an entry invalidation.
/// </summary>
public sealed partial class FuseServer
{
    /// <summary>
    /// Makes the kernel forget the name <paramref name="name"/> in directory <paramref name="parentInode"/>, whether it
    /// cached the name as present or as missing (FUSE_NOTIFY_INVAL_ENTRY), so the next use looks it up again. Success
    /// also when the kernel held nothing to forget.
    /// </summary>
    public Errno InvalidateEntry(ulong parentInode, ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > DirectoryListing.MaxNameLength || name.IndexOfAny((byte)'/', (byte)0) >= 0) return Errno.EINVAL;
        if (!_dispatcher.NodeIds.TryGetNodeId(parentInode, out var parent)) return Errno.EOVERFLOW;
        var message = new byte[FuseOutHeader.Size + FuseNotifyInvalidateEntryOut.Size + name.Length + 1];
        var body = new FuseNotifyInvalidateEntryOut { Parent = parent, NameLength = (uint)name.Length };
        MemoryMarshal.Write(message.AsSpan(FuseOutHeader.Size), in body);
        name.CopyTo(message.AsSpan(FuseOutHeader.Size + FuseNotifyInvalidateEntryOut.Size));
        return SendNotification(FuseNotifyCode.InvalidateEntry, message);
    }

    /// <summary>
    /// Makes the kernel drop the cached attributes of <paramref name="inode"/> and, for a directory, its cached listing
    /// (FUSE_NOTIFY_INVAL_INODE). Success also when the kernel does not hold the node.
    /// </summary>
    public Errno InvalidateNode(ulong inode)
    {
        if (!_dispatcher.NodeIds.TryGetNodeId(inode, out var node)) return Errno.EOVERFLOW;
        var message = new byte[FuseOutHeader.Size + FuseNotifyInvalidateInodeOut.Size];
        var body = new FuseNotifyInvalidateInodeOut { NodeId = node, Offset = 0, Length = 0 };
        MemoryMarshal.Write(message.AsSpan(FuseOutHeader.Size), in body);
        return SendNotification(FuseNotifyCode.InvalidateInode, message);
    }

    private unsafe Errno SendNotification(FuseNotifyCode code, byte[] message)
    {
        if (_dispatcher.Session is null) return Errno.EAGAIN;
        if (Completion.IsCompleted) return Errno.ENODEV;
        var header = new FuseOutHeader { Length = (uint)message.Length, Error = (int)code, Unique = 0 };
        MemoryMarshal.Write(message, in header);
        fixed (byte* pointer = message)
        {
            Span<IoVector> piece = stackalloc IoVector[1];
            piece[0] = new IoVector { Base = pointer, Length = (nuint)message.Length };
            var error = _device.WriteReply(piece);
            // ENOENT: the kernel does not hold the node or name, which is what was asked for
            return error == Errno.ENOENT ? Errno.Success : error;
        }
    }
}
