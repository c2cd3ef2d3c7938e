using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Erofs.Accel.Core.Export;

/// <summary>
/// Writes the manifest of an image exactly as shared/tools/erofs-manifest writes it for a mounted tree: one line per
/// path sorted by raw bytes, 13 tab-separated fields.
/// </summary>
public sealed class ManifestWriter
{
    public const string Header = "#path\ttype\tmode\tuid\tgid\tsize\tnlink\tmtime\ttarget\trdev\tsha256\txattrs\tlink";

    private readonly ErofsImage _image;

    /// <summary>Print directory sizes as '-' (like --no-dir-size).</summary>
    public bool NoDirectorySize { get; init; }

    /// <summary>Hash files on this many threads (1 = on the caller's thread).</summary>
    public int Parallelism { get; init; } = 1;

    public ManifestWriter(ErofsImage image) => _image = image;

    public void Write(TextWriter output)
    {
        var nodes = TreeWalker.Walk(_image).ToList();
        nodes.Sort((a, b) => a.Path.AsSpan().SequenceCompareTo(b.Path));
        var firstOfGroup = new Dictionary<ulong, byte[]>();
        foreach (var n in nodes)
            if (!n.Inode.IsDirectory && n.Inode.LinkCount > 1)
                firstOfGroup.TryAdd(n.Inode.Nid, n.Path);

        var digests = new string?[nodes.Count];
        var opts = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Parallelism) };
        if (Parallelism > 1)
        {
            try
            {
                Parallel.For(0, nodes.Count, opts, i => digests[i] = DigestIfFile(nodes[i].Inode));
            }
            catch (AggregateException ae) when (ae.InnerExceptions.Count > 0)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ae.InnerExceptions[0]).Throw();
            }
        }
        output.Write(Header);
        output.Write('\n');
        var sb = new StringBuilder(256);
        for (int i = 0; i < nodes.Count; i++)
        {
            var n = nodes[i];
            sb.Clear();
            FormatLine(sb, n, digests[i] ?? DigestIfFile(n.Inode), firstOfGroup);
            output.Write(sb.ToString());
            output.Write('\n');
        }
    }

    private string DigestIfFile(ErofsInode inode) => inode.IsRegularFile ? Sha256Hex(inode) : "-";

    private void FormatLine(StringBuilder sb, in TreeNode n, string digest, Dictionary<ulong, byte[]> groups)
    {
        var ino = n.Inode;
        char t = TypeChar(ino.Type);
        sb.Append(ManifestEscaping.Escape(n.Path)).Append('\t');
        sb.Append(t).Append('\t');
        sb.Append(Convert.ToString(ino.Permissions, 8).PadLeft(4, '0')).Append('\t');
        sb.Append(ino.Uid).Append('\t').Append(ino.Gid).Append('\t');
        if (t == 'd') sb.Append(NoDirectorySize ? "-" : ino.Size.ToString());
        else if (t is 'c' or 'b' or 'p' or 's') sb.Append('0');
        else sb.Append(ino.Size);
        sb.Append('\t').Append(ino.LinkCount).Append('\t');
        sb.Append(ino.MtimeSeconds).Append('\t');
        sb.Append(t == 'l' ? ManifestEscaping.Escape(_image.ReadLink(ino)) : "-").Append('\t');
        sb.Append(t is 'c' or 'b' ? $"{ino.RdevMajor}:{ino.RdevMinor}" : "-").Append('\t');
        sb.Append(digest).Append('\t');
        sb.Append(FormatXattrs(ino)).Append('\t');
        sb.Append(t != 'd' && ino.LinkCount > 1 && groups.TryGetValue(ino.Nid, out var first) ? ManifestEscaping.Escape(first) : "-");
    }

    private string FormatXattrs(ErofsInode ino)
    {
        var list = _image.ListXattrs(ino);
        if (list.Count == 0) return "-";
        var sorted = list.ToArray();
        Array.Sort(sorted, (a, b) =>
        {
            int c = a.Name.AsSpan().SequenceCompareTo(b.Name);
            return c != 0 ? c : a.Value.AsSpan().SequenceCompareTo(b.Value);
        });
        return string.Join(",", sorted.Select(x => ManifestEscaping.EscapeXattrName(x.Name) + "=" + Convert.ToHexStringLower(x.Value)));
    }

    public static char TypeChar(InodeType t) => t switch
    {
        InodeType.Directory => 'd',
        InodeType.RegularFile => 'f',
        InodeType.Symlink => 'l',
        InodeType.CharDevice => 'c',
        InodeType.BlockDevice => 'b',
        InodeType.Fifo => 'p',
        InodeType.Socket => 's',
        _ => '?',
    };

    private string Sha256Hex(ErofsInode inode)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buf = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long off = 0;
            long size = (long)inode.Size;
            while (off < size)
            {
                int n = _image.Read(inode, off, buf.AsSpan(0, (int)Math.Min(buf.Length, size - off)));
                if (n <= 0) throw new ErofsCorruptImageException("file ended early", off, inode.Nid);
                h.AppendData(buf, 0, n);
                off += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }
}
