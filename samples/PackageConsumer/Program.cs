// Opens an image through the Erofs.Accel packages, lists it, reads every file, extracts it and verifies it, and
// checks each step against the image's manifest (shared/tools/erofs-manifest format). Exit 0 when all agree.
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

var listed = TreeWalker.Walk(image).Select(n => ManifestEscaping.Escape(n.Path)).ToHashSet(StringComparer.Ordinal);
if (!listed.SetEquals(manifest.Keys))
    failures.Add($"listing: {listed.Except(manifest.Keys).Count()} paths not in the manifest, {manifest.Keys.Except(listed).Count()} missing");

foreach (var f in files)
{
    var sha = Convert.ToHexStringLower(SHA256.HashData(image.ReadAllBytes(image.Resolve(f[0]))));
    if (sha != f[10]) failures.Add($"read {f[0]}: sha256 {sha}, manifest {f[10]}");
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
}
finally
{
    // rm -rf: extracted names need not be UTF-8 and directories may be read-only
    using var rm = Process.Start("rm", new[] { "-rf", "--one-file-system", destination });
    rm.WaitForExit();
}

var report = ImageVerifier.Verify(image);
if (!report.IsClean) failures.Add($"verify: {report.Problems.Count + report.OmittedProblems} problems, first: {report.Problems[0]}");

foreach (var failure in failures) Console.Error.WriteLine("package consumer: " + failure);
Console.WriteLine($"package consumer: {listed.Count} paths listed, {files.Count} files read and extracted, verify {(report.IsClean ? "clean" : "NOT clean")}: {(failures.Count == 0 ? "ok" : $"{failures.Count} failures")}");
return failures.Count == 0 ? 0 : 1;
