// Opens an image through the Erofs.Accel packages, lists it with the entry API, reads every file through a Stream,
// opens it again from a Stream, extracts all of it and a subtree, verifies it, and checks each step against the
// image's manifest (shared/tools/erofs-manifest format). Exit 0 when all agree.
using System.Diagnostics;
using System.Security.Cryptography;
using Erofs.Accel.Core;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Core.Inspection;
using Erofs.Accel.Decompression.Engine;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: PackageConsumer IMAGE MANIFEST");
    return 2;
}
var manifest = File.ReadLines(args[1]).Where(l => !l.StartsWith('#')).Select(l => l.Split('\t')).ToDictionary(f => f[0], StringComparer.Ordinal);
// regular files whose paths are plain text (escaped names are checked by the repository's own tests)
var files = manifest.Values.Where(f => f[1] == "f" && !f[0].Contains('\\')).ToList();
var failures = new List<string>();

using var engine = DecompressionEngine.Create(new EngineOptions());
using var image = ErofsImage.Open(args[0], new ErofsImageOptions { Decompressor = engine });

// the entry API: every path, with type, permission bits, owner, size and mtime as the manifest has them
var listed = new HashSet<string>(StringComparer.Ordinal) { "/" };
foreach (var entry in image.EnumerateEntries())
{
    var path = ManifestEscaping.Escape(entry.RawFullPath.Span);
    listed.Add(path);
    if (!manifest.TryGetValue(path, out var m)) continue;
    var got = $"{TypeLetter(entry.EntryType)} {Convert.ToString((int)entry.Mode, 8).PadLeft(4, '0')} {entry.Uid} {entry.Gid} {entry.Length} {entry.ModificationTime.ToUnixTimeSeconds()}";
    var want = $"{m[1]} {m[2]} {m[3]} {m[4]} {m[5]} {m[7]}";
    if (got != want) failures.Add($"entry {path}: {got}, manifest {want}");
}
if (!listed.SetEquals(manifest.Keys))
    failures.Add($"listing: {listed.Except(manifest.Keys).Count()} paths not in the manifest, {manifest.Keys.Except(listed).Count()} missing");

// contents through OpenRead streams, whole and from the middle
foreach (var f in files)
{
    using var stream = image.OpenRead(f[0]);
    var sha = Convert.ToHexStringLower(SHA256.HashData(stream));
    if (sha != f[10]) failures.Add($"read {f[0]}: sha256 {sha}, manifest {f[10]}");
    if (stream.Length > 1)
    {
        stream.Seek(stream.Length / 2, SeekOrigin.Begin);
        var tail = new MemoryStream();
        stream.CopyTo(tail);
        var whole = image.ReadAllBytes(image.GetEntry(f[0])!.Inode);
        if (!tail.ToArray().AsSpan().SequenceEqual(whole.AsSpan((int)(whole.Length / 2))))
            failures.Add($"read {f[0]}: the second half read after a seek differs");
    }
}

// the same image from a Stream
using (var fromStream = ErofsImage.Open(File.OpenRead(args[0]), new ErofsImageOptions { Decompressor = engine }))
{
    var count = fromStream.EnumerateEntries().Count() + 1;
    if (count != manifest.Count) failures.Add($"open from a stream: {count} paths, manifest {manifest.Count}");
}

var destination = Path.Combine(Path.GetTempPath(), $"erofs-accel-consumer-{Guid.NewGuid():N}");
try
{
    var warnings = 0;
    var summary = image.ExtractToDirectory(destination, new ExtractOptions { Warning = _ => warnings++ });
    foreach (var f in files)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(destination + f[0])));
        if (sha != f[10]) failures.Add($"extract {f[0]}: sha256 {sha}, manifest {f[10]}");
    }
    Console.WriteLine($"extracted {summary.Files} files, {summary.Directories} directories ({warnings} warnings)");

    // a subtree, with progress and a cancellation token
    var subtree = manifest.Values.Where(f => f[1] == "d" && f[0] != "/" && !f[0].Contains('\\')).Select(f => f[0]).FirstOrDefault();
    if (subtree is not null)
    {
        var part = destination + "-part";
        Directory.CreateDirectory(part);
        long reports = 0;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var partSummary = image.ExtractToDirectory(part, new ExtractOptions { Paths = [subtree], Warning = _ => { } },
            new SynchronousProgress(_ => reports++), cancel.Token);
        var expected = files.Count(f => f[0].StartsWith(subtree + "/", StringComparison.Ordinal));
        var written = files.Count(f => f[0].StartsWith(subtree + "/", StringComparison.Ordinal) && File.Exists(part + f[0]));
        if (written != expected || files.Any(f => !f[0].StartsWith(subtree + "/", StringComparison.Ordinal) && File.Exists(part + f[0])))
            failures.Add($"extract {subtree}: {written} of {expected} files under it written, or files outside it");
        if (reports == 0) failures.Add($"extract {subtree}: no progress reported");
        Console.WriteLine($"extracted {subtree}: {partSummary.Files} files, {reports} progress reports");
    }
}
finally
{
    // rm -rf: extracted names need not be UTF-8 and directories may be read-only
    using var rm = Process.Start("rm", new[] { "-rf", "--one-file-system", destination, destination + "-part" });
    rm.WaitForExit();
}

var report = ImageVerifier.Verify(image);
if (!report.IsClean) failures.Add($"verify: {report.Problems.Count + report.OmittedProblems} problems, first: {report.Problems[0]}");

foreach (var failure in failures) Console.Error.WriteLine("package consumer: " + failure);
Console.WriteLine($"package consumer: {listed.Count} paths listed, {files.Count} files read and extracted, verify {(report.IsClean ? "clean" : "NOT clean")}: {(failures.Count == 0 ? "ok" : $"{failures.Count} failures")}");
return failures.Count == 0 ? 0 : 1;

static string TypeLetter(ErofsEntryType type) => type switch
{
    ErofsEntryType.RegularFile => "f",
    ErofsEntryType.Directory => "d",
    ErofsEntryType.SymbolicLink => "l",
    ErofsEntryType.CharacterDevice => "c",
    ErofsEntryType.BlockDevice => "b",
    ErofsEntryType.Fifo => "p",
    _ => "s",
};

/// <summary>Reports on the extracting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
sealed class SynchronousProgress(Action<ExtractProgress> report) : IProgress<ExtractProgress>
{
    public void Report(ExtractProgress value) => report(value);
}
