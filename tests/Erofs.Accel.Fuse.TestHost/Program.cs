using Erofs.Accel.Fuse;
using Erofs.Accel.Fuse.TestHost;
using Microsoft.Extensions.Logging;

// Usage: Erofs.Accel.Fuse.TestHost MOUNTPOINT [--method kernel|fusermount] [--files N] [--record DIR] [--private] [--sandbox]
// Mounts the synthetic filesystem, prints "READY" once INIT is answered, serves until unmounted or SIGTERM/SIGINT.
// With --sandbox the server gives up its privileges first, then prints "PROBE call result" for calls it must not make.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Erofs.Accel.Fuse.TestHost MOUNTPOINT [--method kernel|fusermount] [--files N] [--record DIR] [--private] [--sandbox]");
    return 2;
}

var method = FuseMountMethod.Automatic;
var fileCount = 120;
string? recordDirectory = null;
var allowOther = true;
var sandbox = false;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--method" when i + 1 < args.Length:
            method = args[++i] == "fusermount" ? FuseMountMethod.Fusermount : FuseMountMethod.Kernel;
            break;
        case "--files" when i + 1 < args.Length:
            fileCount = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--record" when i + 1 < args.Length:
            recordDirectory = args[++i];
            Directory.CreateDirectory(recordDirectory);
            break;
        case "--private":
            allowOther = false;
            break;
        case "--sandbox":
            sandbox = true;
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}");
            return 2;
    }
}

var fileSystem = SyntheticFileSystem.CreateDefault(fileCount);
try
{
    var options = new FuseServerOptions
    {
        MountPoint = args[0],
        Source = "synthetic",
        MountMethod = method,
        AllowOther = allowOther,
        Logger = new StderrLogger(LogLevel.Information),
        Tap = recordDirectory is null ? null : new MessageRecorder(recordDirectory),
        Sandbox = sandbox ? new SandboxSettings() : null,
    };
    using var server = FuseServer.Mount(fileSystem, options);
    var code = server.Run(onReady: () =>
    {
        Console.Out.WriteLine("READY " + server.MountPoint);
        if (sandbox) SandboxProbe.Run(server.MountPoint, Console.Out);
        Console.Out.Flush();
    });
    Console.Error.WriteLine($"served {server.RequestCount} requests, peak {server.PeakWorkerCount} workers; exit {code}");
    return code;
}
catch (FuseMountException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 1;
}
