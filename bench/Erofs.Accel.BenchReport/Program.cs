using System.Globalization;
using System.Text;
using ScottPlot;

// dotnet run --project bench/Erofs.Accel.BenchReport -- RESULTS_DIR [--markdown FILE]
if (args.Length < 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: Erofs.Accel.BenchReport RESULTS_DIR [--markdown FILE]");
    return 2;
}
var dir = args[0];
string? markdownPath = args.Length >= 3 && args[1] == "--markdown" ? args[2] : null;
var rows = File.ReadLines(Path.Combine(dir, "results.tsv")).Skip(1).Select(l => l.Split('\t'))
    .Where(f => f.Length == 6).Select(f => new Row(f[0], f[1], f[2], int.Parse(f[3]), double.Parse(f[4], CultureInfo.InvariantCulture), long.TryParse(f[5], out var b) ? b : 0))
    .ToList();
var skipped = rows.Where(r => r.Workload == "skipped").Select(r => r.Image).ToList();
var medians = rows.Where(r => r.Workload != "skipped" && r.Seconds > 0)
    .GroupBy(r => (r.Workload, r.Image, r.Reader))
    .ToDictionary(g => g.Key, g => Median(g.Select(r => r.Bytes / 1e6 / r.Seconds).ToList()));

var md = new StringBuilder();
if (File.Exists(Path.Combine(dir, "environment.txt")))
{
    md.AppendLine("```");
    md.Append(File.ReadAllText(Path.Combine(dir, "environment.txt")));
    md.AppendLine("```");
    md.AppendLine();
}
if (skipped.Count > 0) md.AppendLine($"Skipped (no mkfs.erofs able to make them): {string.Join(", ", skipped)}.\n");

string[] readerOrder = ["erofs-accel", "kernel", "squashfuse", "erofsfuse", "fsck.erofs"];
foreach (var workload in medians.Keys.Select(k => k.Workload).Distinct().OrderBy(w => w, StringComparer.Ordinal))
{
    var images = medians.Keys.Where(k => k.Workload == workload).Select(k => k.Image).Distinct().OrderBy(i => i, StringComparer.Ordinal).ToList();
    var readers = readerOrder.Where(r => medians.Keys.Any(k => k.Workload == workload && k.Reader == r)).ToList();
    md.AppendLine($"### {workload} (MB/s, median)");
    md.AppendLine();
    // ratio columns only where both sides were measured for this workload
    (string Title, string Ours, string Other)[] ratioColumns =
        [("erofs-accel / kernel", "erofs-accel", "kernel"), ("erofs-accel / squashfuse", "erofs-accel", "squashfuse"),
         ("erofs-accel / erofsfuse", "erofs-accel", "erofsfuse"), ("erofs-accel / fsck.erofs", "erofs-accel", "fsck.erofs")];
    var ratios = ratioColumns.Where(c => readers.Contains(c.Ours) && readers.Contains(c.Other)).ToList();
    md.AppendLine("| image | " + string.Join(" | ", readers.Concat(ratios.Select(c => c.Title))) + " |");
    md.AppendLine("|---|" + string.Concat(readers.Concat(ratios.Select(c => c.Title)).Select(_ => "---:|")));
    foreach (var image in images)
    {
        double? Get(string reader) => medians.TryGetValue((workload, image, reader), out var v) ? v : null;
        var cells = readers.Select(r => Get(r) is { } v ? v.ToString("F0", CultureInfo.InvariantCulture) : "-");
        string Ratio(string a, string b) => Get(a) is { } x && Get(b) is { } y && y > 0 ? (x / y).ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";
        md.AppendLine($"| {image} | {string.Join(" | ", cells.Concat(ratios.Select(c => Ratio(c.Ours, c.Other))))} |");
    }
    md.AppendLine();
    Plot(workload, images, readers, (image, reader) => medians.TryGetValue((workload, image, reader), out var v) ? v : 0);
    md.AppendLine($"![{workload}]({workload}.png)");
    md.AppendLine();
}
File.WriteAllText(Path.Combine(dir, "report.md"), md.ToString());
if (markdownPath is not null) File.WriteAllText(markdownPath, md.ToString());
else Console.Write(md.ToString());
return 0;

void Plot(string workload, List<string> images, List<string> readers, Func<string, string, double> value)
{
    var plot = new Plot();
    var palette = new ScottPlot.Palettes.Category10();
    var bars = new List<Bar>();
    double groupWidth = readers.Count + 1;
    for (int i = 0; i < images.Count; i++)
        for (int r = 0; r < readers.Count; r++)
            bars.Add(new Bar { Position = i * groupWidth + r, Value = value(images[i], readers[r]), FillColor = palette.GetColor(r) });
    plot.Add.Bars(bars);
    plot.Axes.Bottom.SetTicks(images.Select((_, i) => i * groupWidth + (readers.Count - 1) / 2.0).ToArray(), images.ToArray());
    for (int r = 0; r < readers.Count; r++) plot.Legend.ManualItems.Add(new LegendItem { LabelText = readers[r], FillColor = palette.GetColor(r) });
    plot.ShowLegend(Alignment.UpperRight);
    plot.Title($"{workload}: MB/s by image and reader (higher is better)");
    plot.YLabel("MB/s");
    plot.Axes.Margins(bottom: 0);
    plot.SavePng(Path.Combine(dir, workload + ".png"), 900, 450);
}

static double Median(List<double> v)
{
    v.Sort();
    return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
}

internal sealed record Row(string Workload, string Image, string Reader, int Run, double Seconds, long Bytes);
