using Erofs.Accel.Cli.Json;
using Erofs.Accel.Core.Inspection;
using Erofs.Accel.Format;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// <c>verify IMAGE</c>: fsck. Prints "clean" (exit 0) or "not clean" and one line per problem naming the path, nid,
/// file offset and reason (exit 1). An image that cannot even be opened (bad superblock or checksum) is reported the
/// same way; missing files and wrong usage are errors as in every command.
/// </summary>
internal sealed class VerifyCommand : ICommand
{
    public string Name => "verify";
    public string Usage => "verify IMAGE [--json] [--max-hash-gib N] [--device FILE]... [--accel POLICY]";
    public string Summary => "check the image like fsck: superblock checksum, every inode, directory, extent and pcluster, content fingerprints";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions.Concat(new[] { "--max-hash-gib" }), ImageArguments.FlagOptions.Concat(new[] { "--json" }));
        cl.ExpectPositionals(1, 1, Usage);
        var options = new VerifyOptions { MaxHashedBytes = (long)(cl.LastInt("--max-hash-gib", 0, 1 << 20) ?? 16) << 30 };
        string path = cl.Positionals[0];
        VerificationReport report;
        ImageSession? session = null;
        try
        {
            session = ImageArguments.Open(path, cl);
        }
        catch (ErofsException e) when (e is not ErofsIoException)
        {
            // an image that cannot be opened (bad superblock, ...) is verify's verdict; one that cannot be read at
            // all (missing, unreadable, a pipe) is an error, like for every other command
            report = VerificationReport.NotOpened(e.Message);
            Write(stdout, path, report, cl.Has("--json"));
            return CliApp.ExitFailure;
        }
        using (session)
        {
            session.VerboseOutput = stderr;
            report = ImageVerifier.Verify(session.Image, options);
        }
        Write(stdout, path, report, cl.Has("--json"));
        return report.IsClean ? CliApp.ExitOk : CliApp.ExitFailure;
    }

    private static void Write(TextWriter w, string path, VerificationReport r, bool json)
    {
        if (json)
        {
            CliJson.Write(w, new VerifyDocument(path, r.IsClean, r.SuperblockChecksum,
                r.Problems.Select(p => new ProblemDocument(p.Path, p.Nid is { } n ? ErofsException.FormatNid(n) : null, p.FileOffset, p.Reason)).ToArray(),
                r.OmittedProblems, r.Notes, r.Inodes, r.Directories, r.DirectoryEntries, r.Extents, r.PclustersDecoded,
                r.FingerprintsChecked, r.FingerprintsNotChecked), CliJson.Context.VerifyDocument);
            return;
        }
        string counts = $"{r.Inodes} inodes, {r.Directories} directories, {r.DirectoryEntries} entries, {r.Extents} extents, "
                        + $"{r.PclustersDecoded} pclusters decoded, {r.FingerprintsChecked} fingerprints checked, superblock checksum {r.SuperblockChecksum}";
        if (r.IsClean) w.WriteLine($"clean: {counts}");
        else
        {
            long total = r.Problems.Count + r.OmittedProblems;
            w.WriteLine($"not clean: {total} problem{(total == 1 ? "" : "s")} ({counts})");
            foreach (var p in r.Problems) w.WriteLine("  " + p);
            if (r.OmittedProblems > 0) w.WriteLine($"  ... and {r.OmittedProblems} more");
        }
        foreach (var n in r.Notes) w.WriteLine("note: " + n);
    }
}
