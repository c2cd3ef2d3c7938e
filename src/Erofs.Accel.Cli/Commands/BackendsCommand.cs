using Erofs.Accel.Cli.Json;
using Erofs.Accel.Decompression.Engine;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>backends</c>: every decompression backend, whether it is usable here and why not, and what it takes.</summary>
internal sealed class BackendsCommand : ICommand
{
    public string Name => "backends";
    public string Usage => "backends [--accel POLICY] [--json]";
    public string Summary => "list decompression backends: availability (and why not), algorithms, windows, path in use";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, new[] { "--accel" }, new[] { "--json" });
        cl.ExpectPositionals(0, 0, Usage);
        var policy = ImageArguments.Policy(cl);
        // describe every accelerator this build knows, not only those the policy would create
        using var engine = DecompressionEngine.Create(new EngineOptions { Policy = AccelerationPolicy.Only(AccelerationPolicy.KnownAccelerators.ToArray()) });
        string source = cl.Last("--accel") is not null ? "--accel"
            : Environment.GetEnvironmentVariable(AccelerationPolicy.EnvironmentVariable) is { Length: > 0 } ? "$" + AccelerationPolicy.EnvironmentVariable : "the default";
        var backends = engine.DescribeBackends();
        if (cl.Has("--json"))
        {
            var docs = backends.Select(d => new BackendDocument(d.Name, CliJson.Name(d.Role), d.IsAvailable, d.Detail,
                d.Algorithms.Select(a => a.ToString().ToLowerInvariant()).ToArray(), d.Capabilities, d.PathInUse, UsedByPolicy(policy, d),
                CliJson.Name(d.Breaker))).ToArray();
            CliJson.Write(stdout, new BackendsDocument(policy.ToString(), source, docs), CliJson.Context.BackendsDocument);
            return CliApp.ExitOk;
        }
        stdout.WriteLine($"policy in force: {policy} (from {source})");
        foreach (var d in backends)
        {
            var line = d.ToString().Replace("; not used by the current policy", "");
            if (d.Role != BackendRole.Software && !policy.Allows(d.Name)) line += "; not used by this policy";
            else if (d.Role != BackendRole.Software && policy.Mode == AccelerationMode.Auto && !AccelerationPolicy.AutoAccelerators.Contains(d.Name))
                line += "; used only when named in --accel";
            stdout.WriteLine(line);
        }
        return CliApp.ExitOk;
    }

    /// <summary>Whether the policy sends work to this backend (software backends always serve).</summary>
    private static bool UsedByPolicy(AccelerationPolicy policy, BackendDescription d) =>
        d.Role == BackendRole.Software
        || (policy.Allows(d.Name) && (policy.Mode != AccelerationMode.Auto || AccelerationPolicy.AutoAccelerators.Contains(d.Name)));
}
