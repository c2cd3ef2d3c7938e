using Erofs.Accel.Format;

namespace Erofs.Accel.Service.Namespace;

/// <summary>
/// Inode numbers of the shared namespace, one 64-bit space for all images:
/// <list type="bullet">
/// <item>1: the namespace root;</item>
/// <item>bit 63 clear: a node of one image, <c>serial &lt;&lt; 40 | metabox &lt;&lt; 39 | nid slot</c> (the image's
/// serial, never reused, in bits 40..62; EROFS's "in metabox" bit 63 moved to bit 39; nid slots below 2^39, i.e.
/// 16 TiB of inode area);</item>
/// <item>bit 63 set: a shared node (files of equal content fingerprint and attributes, in any images), its serial
/// below.</item>
/// </list>
/// The kernel sees these numbers as st_ino, and the FUSE server derives node ids from them, so one number is one
/// kernel inode and one page-cache copy.
/// </summary>
internal static class NamespaceInode
{
    public const ulong Root = 1;
    public const int MaxImageSerial = (1 << 23) - 1;

    private const int SerialShift = 40;
    private const ulong MetaboxFlag = 1UL << 39;
    private const ulong SlotMask = MetaboxFlag - 1;
    private const ulong SharedFlag = 1UL << 63;

    /// <summary>The inode of nid <paramref name="nid"/> of image <paramref name="serial"/>; false when the nid is too large to encode.</summary>
    public static bool TryEncode(int serial, ulong nid, out ulong inode)
    {
        ulong slot = nid & ~ErofsConstants.MetaboxNidBit;
        if (slot > SlotMask || serial <= 0 || serial > MaxImageSerial)
        {
            inode = 0;
            return false;
        }
        inode = ((ulong)serial << SerialShift) | ((nid & ErofsConstants.MetaboxNidBit) != 0 ? MetaboxFlag : 0) | slot;
        return true;
    }

    public static ulong Shared(long serial) => SharedFlag | (ulong)serial;

    public static bool IsShared(ulong inode) => (inode & SharedFlag) != 0;

    public static long SharedSerial(ulong inode) => (long)(inode & ~SharedFlag);

    /// <summary>Image serial and nid of an image node; false for the root and shared nodes.</summary>
    public static bool TryDecode(ulong inode, out int serial, out ulong nid)
    {
        serial = (int)(inode >> SerialShift);
        nid = (inode & SlotMask) | ((inode & MetaboxFlag) != 0 ? ErofsConstants.MetaboxNidBit : 0);
        return !IsShared(inode) && serial > 0;
    }
}
