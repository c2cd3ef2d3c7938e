using System.Text;
using Erofs.Accel.Core.Export;

namespace Erofs.Accel.Core.Inspection;

/// <summary>Limits of <see cref="ImageVerifier.Verify"/>.</summary>
public sealed class VerifyOptions
{
    /// <summary>Problems recorded in full; further ones are only counted (default 1000).</summary>
    public int MaxProblems { get; init; } = 1000;

    /// <summary>
    /// File bytes read and hashed to check content fingerprints, over the whole image (default 16 GiB). Fingerprints
    /// of files past it are noted as not checked rather than read: a hostile image can claim huge sparse files.
    /// </summary>
    public long MaxHashedBytes { get; init; } = 16L << 30;
}

/// <summary>One thing wrong with an image: where (path, nid, offset in the file) and why.</summary>
public readonly record struct VerificationProblem(string Path, ulong? Nid, long? FileOffset, string Reason)
{
    /// <summary>The path, nid and file offset where known, then the reason, on one line.</summary>
    public override string ToString()
    {
        var where = new StringBuilder(Path);
        if (Nid is { } nid) where.Append($" (nid {ErofsException.FormatNid(nid)})");
        if (FileOffset is { } offset) where.Append($" at file offset {offset}");
        return $"{where}: {Reason}";
    }
}

/// <summary>What <see cref="ImageVerifier.Verify"/> found and how much it looked at.</summary>
public sealed class VerificationReport
{
    internal readonly List<VerificationProblem> ProblemList = new();
    internal readonly List<string> NoteList = new();

    /// <summary>True when nothing is wrong.</summary>
    public bool IsClean => ProblemList.Count == 0 && OmittedProblems == 0;
    /// <summary>The problems found, at most <see cref="VerifyOptions.MaxProblems"/>.</summary>
    public IReadOnlyList<VerificationProblem> Problems => ProblemList;
    /// <summary>Problems past <see cref="VerifyOptions.MaxProblems"/>, counted only.</summary>
    public long OmittedProblems { get; internal set; }
    /// <summary>Remarks that are not problems (fingerprints left unchecked, for example).</summary>
    public IReadOnlyList<string> Notes => NoteList;
    /// <summary>"verified", "none" (the image has no checksum) or "mismatch".</summary>
    public string SuperblockChecksum { get; internal set; } = "none";
    /// <summary>Inodes parsed.</summary>
    public long Inodes { get; internal set; }
    /// <summary>Directories read.</summary>
    public long Directories { get; internal set; }
    /// <summary>Directory entries checked, "." and ".." included.</summary>
    public long DirectoryEntries { get; internal set; }
    /// <summary>Extents mapped.</summary>
    public long Extents { get; internal set; }
    /// <summary>Distinct pclusters decoded.</summary>
    public long PclustersDecoded { get; internal set; }
    /// <summary>Content fingerprints compared with the SHA-256 of their file.</summary>
    public long FingerprintsChecked { get; internal set; }
    /// <summary>Content fingerprints left unchecked (over <see cref="VerifyOptions.MaxHashedBytes"/>).</summary>
    public long FingerprintsNotChecked { get; internal set; }
    /// <summary>File bytes read and hashed to check fingerprints.</summary>
    public long BytesHashed { get; internal set; }

    /// <summary>A report for an image that could not even be opened (bad superblock, missing device...).</summary>
    public static VerificationReport NotOpened(string reason)
    {
        var r = new VerificationReport();
        r.ProblemList.Add(new VerificationProblem("image", null, null, reason));
        return r;
    }
}

/// <summary>
/// fsck for an open image: checks the superblock checksum (when the image has one), parses every inode reachable
/// from the root (and the packed and metabox inodes), reads every directory and checks each entry (name, ".", "..",
/// file type against the inode), maps every extent of every file and checks it covers the file and lies on its
/// device, decodes every distinct pcluster, reads xattrs and symlink targets, and checks every content fingerprint
/// against the SHA-256 of the file. Problems are collected, not thrown: a bad file or directory is reported and the
/// walk goes on. Time and memory stay bounded on hostile images: each inode is checked once, directories reached
/// twice are not entered again, nesting stops at <see cref="TreeWalker.MaxDepth"/>, one problem per inode's data,
/// and hashing for fingerprints has a budget (<see cref="VerifyOptions.MaxHashedBytes"/>).
/// </summary>
public static class ImageVerifier
{
    /// <summary>Longest symlink target a path can hold (PATH_MAX less its NUL).</summary>
    public const int MaxSymlinkTarget = 4095;

    /// <summary>Checks the whole image and reports what is wrong; throws only for cancellation.</summary>
    public static VerificationReport Verify(ErofsImage image, VerifyOptions? options = null, CancellationToken cancellationToken = default) =>
        new Run(image, options ?? new VerifyOptions(), cancellationToken).Execute();

    private sealed class Run(ErofsImage image, VerifyOptions options, CancellationToken cancel)
    {
        private readonly VerificationReport _report = new();
        private readonly HashSet<ulong> _checkedInodes = new();
        private readonly HashSet<ulong> _enteredDirectories = new();
        /// <summary>Decoded length checked so far per pcluster (deduplicated pclusters are decoded once).</summary>
        private readonly Dictionary<(int, long), long> _decodedPclusters = new();
        private readonly byte[] _buffer = new byte[1 << 20];
        private const int MaxRememberedPclusters = 1 << 20;
        private long _hashBudget = options.MaxHashedBytes;

        public VerificationReport Execute()
        {
            CheckSuperblock();
            var root = Guard("/", image.RootNid, null, () => image.Root);
            if (root is not null) WalkTree(root);
            if (image.PackedInode is { } packed) CheckInode(packed, () => "(packed inode)");
            if (image.MetaboxInode is { } metabox) CheckInode(metabox, () => "(metabox inode)");
            return _report;
        }

        private void CheckSuperblock()
        {
            var sb = image.Superblock;
            if (!sb.Has(CompatFeatures.SuperblockChecksum)) return;
            if (sb.ChecksumVerified)
            {
                _report.SuperblockChecksum = "verified";
                return;
            }
            // opened without verification: check it now
            var region = new byte[Math.Max(Superblock.ChecksumLength(sb.BlockSizeBits), ErofsConstants.SuperblockBaseSize)];
            int n = image.Source.Read(ErofsConstants.SuperblockOffset, region);
            try
            {
                Superblock.Parse(region.AsSpan(0, n), verifyChecksum: true);
                _report.SuperblockChecksum = "verified";
            }
            catch (ErofsException e)
            {
                _report.SuperblockChecksum = "mismatch";
                Problem("superblock", null, null, e.Message);
            }
        }

        /// <summary>One directory being listed: its inode, its name, its parent's nid and the entries still to visit.</summary>
        private sealed record Frame(ErofsInode Directory, byte[] Name, ulong ParentNid, IEnumerator<DirectoryEntry> Entries);

        private void WalkTree(ErofsInode root)
        {
            var stack = new List<Frame>();
            string PathOf(byte[]? leaf = null)
            {
                var sb = new StringBuilder();
                for (int i = 1; i < stack.Count; i++) sb.Append('/').Append(ManifestEscaping.Escape(stack[i].Name));
                if (leaf is not null) sb.Append('/').Append(ManifestEscaping.Escape(leaf));
                return sb.Length == 0 ? "/" : sb.ToString();
            }
            _enteredDirectories.Add(root.Nid);
            CheckInode(root, () => "/");
            _report.Directories++;
            stack.Add(new Frame(root, Array.Empty<byte>(), root.Nid, image.ListDirectory(root).GetEnumerator()));
            try
            {
                while (stack.Count > 0)
                {
                    cancel.ThrowIfCancellationRequested();
                    var frame = stack[^1];
                    DirectoryEntry entry;
                    try
                    {
                        if (!frame.Entries.MoveNext())
                        {
                            Pop(stack);
                            continue;
                        }
                        entry = frame.Entries.Current;
                    }
                    catch (Exception e) when (IsReadFailure(e))
                    {
                        Problem(PathOf(), frame.Directory.Nid, null, "directory cannot be read: " + Describe(e, frame.Directory.Nid));
                        Pop(stack);
                        continue;
                    }
                    _report.DirectoryEntries++;
                    CheckEntry(stack, frame, entry, PathOf);
                }
            }
            finally
            {
                foreach (var f in stack) f.Entries.Dispose();
            }
        }

        private static void Pop(List<Frame> stack)
        {
            stack[^1].Entries.Dispose();
            stack.RemoveAt(stack.Count - 1);
        }

        private void CheckEntry(List<Frame> stack, Frame frame, DirectoryEntry entry, Func<byte[]?, string> pathOf)
        {
            var dirNid = frame.Directory.Nid;
            if (entry.IsDot || entry.IsDotDot)
            {
                ulong expected = entry.IsDot ? dirNid : frame.ParentNid;
                if (entry.Nid != expected)
                    Problem(pathOf(null), dirNid, null, $"\"{entry.NameText}\" points at nid {ErofsException.FormatNid(entry.Nid)}, not {ErofsException.FormatNid(expected)}");
                return;
            }
            if (entry.Name.Length == 0 || entry.Name.AsSpan().IndexOfAny((byte)'/', (byte)0) >= 0)
            {
                Problem(pathOf(null), dirNid, null, $"entry with an invalid name \"{ManifestEscaping.Escape(entry.Name)}\"");
                return;
            }
            var name = entry.Name;
            string Path() => pathOf(name);
            var inode = Guard(Path(), entry.Nid, null, () => image.GetInode(entry.Nid));
            if (inode is null) return;
            if (entry.FileType != DirentFileType.Unknown && ExpectedType(entry.FileType) != inode.Type)
                Problem(Path(), inode.Nid, null, $"directory entry says {entry.FileType} but the inode is {inode.Type}");
            if (!inode.IsDirectory)
            {
                if (_checkedInodes.Add(inode.Nid)) CheckInode(inode, Path);
                return;
            }
            if (!_enteredDirectories.Add(inode.Nid))
            {
                Problem(Path(), inode.Nid, null, "directory reached twice (a directory cycle or a hard-linked directory); not entered again");
                return;
            }
            if (stack.Count > TreeWalker.MaxDepth)
            {
                Problem(Path(), inode.Nid, null, $"directories nested deeper than {TreeWalker.MaxDepth}; not entered");
                return;
            }
            _checkedInodes.Add(inode.Nid);
            CheckInode(inode, Path);
            _report.Directories++;
            var entries = Guard(Path(), inode.Nid, null, () => image.ListDirectory(inode).GetEnumerator());
            if (entries is not null) stack.Add(new Frame(inode, name, dirNid, entries));
        }

        private static InodeType ExpectedType(DirentFileType t) => t switch
        {
            DirentFileType.RegularFile => InodeType.RegularFile,
            DirentFileType.Directory => InodeType.Directory,
            DirentFileType.CharDevice => InodeType.CharDevice,
            DirentFileType.BlockDevice => InodeType.BlockDevice,
            DirentFileType.Fifo => InodeType.Fifo,
            DirentFileType.Socket => InodeType.Socket,
            DirentFileType.Symlink => InodeType.Symlink,
            _ => InodeType.Unknown,
        };

        /// <summary>Attributes, xattrs, symlink target, data extents and fingerprint of one inode.</summary>
        private void CheckInode(ErofsInode inode, Func<string> path)
        {
            _report.Inodes++;
            _checkedInodes.Add(inode.Nid);
            if (inode.Type == InodeType.Unknown)
            {
                Problem(path(), inode.Nid, null, $"unknown file type in mode 0{Convert.ToString(inode.Mode, 8)}");
                return;
            }
            Guard(path(), inode.Nid, null, () => image.ListXattrs(inode));
            if (inode.IsSymlink)
            {
                if (inode.Size > MaxSymlinkTarget)
                {
                    Problem(path(), inode.Nid, null, $"symlink target of {inode.Size} bytes is longer than a path can be ({MaxSymlinkTarget})");
                    return;
                }
                Guard(path(), inode.Nid, null, () => image.ReadLink(inode));
            }
            if (inode.Type is InodeType.RegularFile or InodeType.Directory or InodeType.Symlink && inode.Size > 0)
                CheckData(inode, path);
        }

        private void CheckData(ErofsInode inode, Func<string> path)
        {
            var fingerprintValue = inode.IsRegularFile ? Guard(path(), inode.Nid, null, () => image.GetContentFingerprint(inode)) : null;
            bool hashed = false;
            if (fingerprintValue is not null)
            {
                if (!ContentFingerprint.TryParse(fingerprintValue, out var fingerprint))
                    Problem(path(), inode.Nid, null, $"content fingerprint of {fingerprintValue.Length} bytes is not \"sha256:\" and a 32-byte digest");
                else if ((long)inode.Size > _hashBudget)
                {
                    _report.FingerprintsNotChecked++;
                    if (_report.FingerprintsNotChecked == 1)
                        _report.NoteList.Add($"fingerprints not checked past the hashing budget of {options.MaxHashedBytes} bytes (first: {path()}, {inode.Size} bytes)");
                }
                else
                {
                    // reading the whole file maps and decodes every extent on the way
                    _hashBudget -= (long)inode.Size;
                    _report.BytesHashed += (long)inode.Size;
                    var digest = Guard(path(), inode.Nid, null, () => ContentFingerprint.ComputeSha256(image, inode, cancel));
                    if (digest is null) return;
                    _report.FingerprintsChecked++;
                    if (!digest.AsSpan().SequenceEqual(fingerprint.Digest))
                        Problem(path(), inode.Nid, null, $"contents do not match the sha256 fingerprint (recorded {fingerprint.DigestHex}, read {Convert.ToHexStringLower(digest)})");
                    hashed = true;
                }
            }
            // One pass over the extents (streamed: a hostile map can be long): each continues the file where the last
            // ended and is read as far as it must be (already done when the file was hashed).
            long expected = 0;
            using (var extents = FileExtents.Enumerate(image, inode).GetEnumerator())
            {
                while (true)
                {
                    cancel.ThrowIfCancellationRequested();
                    try
                    {
                        if (!extents.MoveNext()) break;
                    }
                    catch (Exception ex) when (IsReadFailure(ex))
                    {
                        Problem(path(), inode.Nid, expected, "cannot map the file: " + Describe(ex, inode.Nid));
                        return;
                    }
                    var e = extents.Current;
                    _report.Extents++;
                    if (e.LogicalStart != expected || e.Length <= 0)
                    {
                        Problem(path(), inode.Nid, e.LogicalStart, $"extent [{e.LogicalStart}, {e.LogicalEnd}) does not continue the file at {expected}");
                        return;
                    }
                    expected = e.LogicalEnd;
                    if (hashed)
                    {
                        NoteDecoded(e);
                        continue;
                    }
                    var failure = CheckExtent(inode, e);
                    if (failure is not null)
                    {
                        Problem(path(), inode.Nid, failure.Value.Offset, failure.Value.Reason);
                        return; // one problem per inode's data: a broken map would otherwise repeat itself
                    }
                }
            }
            if (expected != (long)inode.Size)
                Problem(path(), inode.Nid, expected, $"extents end at {expected}, the file at {inode.Size}");
        }

        /// <summary>Reads what an extent needs to prove it readable; returns where and why it is not.</summary>
        private (long Offset, string Reason)? CheckExtent(ErofsInode inode, in FileExtent e)
        {
            long at = e.LogicalStart;
            try
            {
                switch (e.Kind)
                {
                    case FileExtentKind.Hole:
                        return null;
                    case FileExtentKind.Stored when !e.InMetadata && e.Length > _buffer.Length:
                        // on its device from first to last byte: reading both ends checks the range without reading it all
                        ReadExactly(inode, at, 1);
                        at = e.LogicalEnd - 1;
                        ReadExactly(inode, at, 1);
                        return null;
                    case FileExtentKind.Compressed:
                        if (_decodedPclusters.TryGetValue(e.StorageKey, out long done) && done >= e.Length) return null;
                        for (; at < e.LogicalEnd; at += _buffer.Length)
                            ReadExactly(inode, at, (int)Math.Min(_buffer.Length, e.LogicalEnd - at));
                        NoteDecoded(e);
                        return null;
                    default:
                        for (; at < e.LogicalEnd; at += _buffer.Length)
                            ReadExactly(inode, at, (int)Math.Min(_buffer.Length, e.LogicalEnd - at));
                        return null;
                }
            }
            catch (Exception ex) when (IsReadFailure(ex))
            {
                return (at, $"{Describe(e)}: {Describe(ex, inode.Nid)}");
            }
        }

        private void NoteDecoded(in FileExtent e)
        {
            if (e.Kind != FileExtentKind.Compressed) return;
            if (!_decodedPclusters.TryGetValue(e.StorageKey, out long done))
            {
                _report.PclustersDecoded++;
                // past the limit, pclusters shared by several extents are decoded again rather than remembered
                if (_decodedPclusters.Count >= MaxRememberedPclusters) return;
            }
            if (e.Length > done) _decodedPclusters[e.StorageKey] = e.Length;
        }

        private void ReadExactly(ErofsInode inode, long offset, int length)
        {
            int n = image.ReadRaw(inode, offset, _buffer.AsSpan(0, length)); // directories too
            if (n != length) throw new ErofsCorruptImageException($"read {n} of {length} bytes at {offset}", null, inode.Nid);
        }

        private static string Describe(in FileExtent e) => e.Kind switch
        {
            FileExtentKind.Compressed => $"{e.Algorithm} pcluster of {e.PhysicalLength} bytes at {(e.InMetadata ? "inline " : "")}{e.PhysicalAddress}{(e.Device > 0 ? $" on device {e.Device}" : "")}",
            FileExtentKind.Fragment => $"fragment at {e.FragmentOffset} of the packed inode",
            _ => $"{e.Kind.ToString().ToLowerInvariant()} extent of {e.Length} bytes at {(e.InMetadata ? "inline " : "")}{e.PhysicalAddress}{(e.Device > 0 ? $" on device {e.Device}" : "")}",
        };

        /// <summary>Runs one step; a read failure becomes a problem (and null), anything else stays an exception.</summary>
        private T? Guard<T>(string path, ulong? nid, long? offset, Func<T> step) where T : class?
        {
            try
            {
                return step();
            }
            catch (Exception e) when (IsReadFailure(e))
            {
                Problem(path, nid, offset, Describe(e, nid));
                return null;
            }
        }

        /// <summary>Everything but cancellation: verify reports, it does not crash.</summary>
        private static bool IsReadFailure(Exception e) => e is not OperationCanceledException;

        /// <summary>
        /// The one-line reason, without the nid the problem already names; an exception the reader should never raise
        /// is named as a reader bug.
        /// </summary>
        private static string Describe(Exception e, ulong? nid)
        {
            if (e is ErofsException { Nid: { } n } && n == nid)
            {
                string tag = "nid " + ErofsException.FormatNid(n);
                return e.Message.Replace($" [{tag}]", "").Replace($"[{tag}, ", "[");
            }
            return e is ErofsException or IOException or UnauthorizedAccessException
                ? e.Message
                : $"unexpected {e.GetType().Name} (a reader bug, please report): {e.Message}";
        }

        private void Problem(string path, ulong? nid, long? offset, string reason)
        {
            if (_report.ProblemList.Count < options.MaxProblems) _report.ProblemList.Add(new VerificationProblem(path, nid, offset, reason));
            else _report.OmittedProblems++;
        }
    }
}
