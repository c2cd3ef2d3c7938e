using System.Text;
using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Tests.TestSupport;

namespace Erofs.Accel.Fuse.Tests.Server;

/// <summary>Decodes READDIR / READDIRPLUS reply bodies record by record, checking alignment.</summary>
internal static class DirectoryReplyReader
{
    public sealed record Record(string Name, ulong Inode, ulong NextOffset, uint Type, FuseEntryOut? Entry);

    public static List<Record> Decode(ReadOnlySpan<byte> body, bool plus)
    {
        var records = new List<Record>();
        var at = 0;
        while (at < body.Length)
        {
            FuseEntryOut? entry = null;
            var start = at;
            if (plus)
            {
                entry = FuseMessages.Read<FuseEntryOut>(body, at);
                at += FuseEntryOut.Size;
            }
            var dirent = FuseMessages.Read<FuseDirent>(body, at);
            at += FuseDirent.Size;
            var name = Encoding.UTF8.GetString(body.Slice(at, (int)dirent.NameLength));
            at += (int)dirent.NameLength;
            var length = plus ? FuseDirent.PlusRecordLength((int)dirent.NameLength) : FuseDirent.RecordLength((int)dirent.NameLength);
            Assert.True(body.Slice(at, start + length - at).IndexOfAnyExcept((byte)0) < 0, "padding must be zero");
            at = start + length;
            records.Add(new Record(name, dirent.Inode, dirent.NextOffset, dirent.Type, entry));
        }
        Assert.Equal(body.Length, at);
        return records;
    }
}
