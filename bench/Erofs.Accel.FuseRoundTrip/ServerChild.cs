using System.Globalization;
using Erofs.Accel.Fuse;

namespace Erofs.Accel.FuseRoundTrip;

/// <summary>One server configuration: transport, shared or cloned /dev/fuse descriptors, largest READ.</summary>
internal sealed record ServerConfig(string Name, FuseTransport Transport, bool CloneDevices, bool PinThreads, int? MaxReadBytes)
{
    public static ServerConfig Parse(string text)
    {
        var parts = text.Split(':');
        var transport = parts[0] switch
        {
            "classic" => FuseTransport.Classic,
            "uring" => FuseTransport.IoUring,
            _ => throw new ArgumentException($"unknown transport '{parts[0]}' in '{text}' (classic or uring)"),
        };
        var clone = true;
        var pin = true;
        int? maxRead = null;
        foreach (var modifier in parts.Skip(1))
        {
            if (modifier == "shared") clone = false;
            else if (modifier == "unpinned") pin = false;
            else if (modifier.StartsWith("maxread=", StringComparison.Ordinal)) maxRead = int.Parse(modifier["maxread=".Length..], CultureInfo.InvariantCulture);
            else throw new ArgumentException($"unknown modifier '{modifier}' in '{text}'");
        }
        return new ServerConfig(text, transport, clone, pin, maxRead);
    }
}

/// <summary>The server side of a trial: mounts the in-memory file, says READY, serves until its stdin closes.</summary>
internal static class ServerChild
{
    public static int Run(string[] args)
    {
        if (args.Length < 2) throw new ArgumentException("serve MOUNTPOINT CONFIG [--file-mb N] [--segments]");
        var config = ServerConfig.Parse(args[1]);
        var megabytes = 256;
        var segments = false;
        for (var i = 2; i < args.Length; i++)
        {
            if (args[i] == "--file-mb" && i + 1 < args.Length) megabytes = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else if (args[i] == "--segments") segments = true;
            else throw new ArgumentException($"unknown argument {args[i]}");
        }
        var content = GC.AllocateUninitializedArray<byte>(megabytes << 20, pinned: true);
        new Random(42).NextBytes(content);
        var options = new FuseServerOptions
        {
            MountPoint = args[0],
            Source = "fuse-round-trip",
            Transport = config.Transport,
            CloneDevicePerWorker = config.CloneDevices,
            PinIoUringThreads = config.PinThreads,
            MaxReadBytes = config.MaxReadBytes ?? new FuseServerOptions { MountPoint = args[0] }.MaxReadBytes,
        };
        try
        {
            using var server = FuseServer.Mount(new InMemoryFileSystem(content, segments), options);
            if (!server.WaitUntilReady(TimeSpan.FromSeconds(30))) throw new FuseMountException("the mount did not become ready");
            Console.Out.WriteLine($"READY {server.ActiveTransport} {server.TransportNote}");
            Console.Out.Flush();
            // the driver closes our stdin when the trial is over
            while (Console.In.ReadLine() is not null)
            {
            }
            server.Unmount();
            Console.Error.WriteLine($"served {server.RequestCount} requests, peak {server.PeakWorkerCount} /dev/fuse workers");
            return 0;
        }
        catch (FuseMountException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 1;
        }
    }
}
