using System.Net.Sockets;
using System.Text;
using Erofs.Accel.Testing;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Cli.Tests;

/// <summary>The mount's log: the per-(file, cause) rate limit, the syslog datagrams and the default destinations.</summary>
public sealed class LoggingTests
{
    /// <summary>Time that moves only when the test says so.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Interlocked.Read(ref _ticks);
        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new NoTimer();
        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private sealed class Lines : ILogSink
    {
        public readonly List<string> All = new();
        public string Description => "test";
        public void Write(LogLevel level, string message)
        {
            lock (All) All.Add($"{level}: {message}");
        }
    }

    private static (RateLimitedLogger Logger, Lines Lines, ManualTime Time) NewLogger()
    {
        var lines = new Lines();
        var time = new ManualTime();
        return (new RateLimitedLogger(new LineLogger(lines, LogLevel.Information), time), lines, time);
    }

    private static void ReadFailed(ILogger logger, ulong node, string cause, long offset) =>
        logger.LogError(new IOException($"{cause} at offset {offset}"), "FUSE: {Opcode} on node {Node} failed: {Message}", "Read", node, $"{cause} at offset {offset}");

    [Fact]
    public void AFloodFromOneFileIsCutToABurstAndCounted()
    {
        var (logger, lines, time) = NewLogger();
        for (int i = 0; i < 4294; i++) ReadFailed(logger, 42, "lz4: corrupt pcluster", i * 4096L);
        Assert.Equal(RateLimitedLogger.Burst, lines.All.Count);
        Assert.Equal(4294 - RateLimitedLogger.Burst, logger.SuppressedCount);

        // the next message after the interval first reports how many were left out
        time.Advance(RateLimitedLogger.Interval);
        ReadFailed(logger, 42, "lz4: corrupt pcluster", 1);
        Assert.Equal(RateLimitedLogger.Burst + 2, lines.All.Count);
        Assert.Contains($"{4294 - RateLimitedLogger.Burst} similar message(s) suppressed", lines.All[^2]);
        Assert.Contains("node 42", lines.All[^2]);
        Assert.StartsWith("Error: ", lines.All[^2]);
    }

    [Fact]
    public void NumbersDoNotMakeNewCauses()
    {
        var a = RateLimitedLogger.KeyOf<object>(null!, null, "read of 4096 bytes at 0x1a000 failed [nid 41, offset 106496 (0x1a000)]");
        var b = RateLimitedLogger.KeyOf<object>(null!, null, "read of 131072 bytes at 0xff0 failed [nid 7, offset 4080 (0xff0)]");
        Assert.Equal(a, b);
        Assert.NotEqual(a, RateLimitedLogger.KeyOf<object>(null!, null, "read of 4096 bytes at 0x1a000 timed out"));
    }

    [Fact]
    public void FilesAndCausesAreLimitedSeparately()
    {
        var (logger, lines, _) = NewLogger();
        for (int i = 0; i < 100; i++)
        {
            ReadFailed(logger, 1, "lz4: corrupt pcluster", i);
            ReadFailed(logger, 2, "lz4: corrupt pcluster", i);
            ReadFailed(logger, 1, "short read", i);
            logger.LogWarning("qpl fell back: {Reason}", "timeout");
        }
        Assert.Equal(4 * RateLimitedLogger.Burst, lines.All.Count);
    }

    [Fact]
    public void SuppressedCountsAreReportedWhenTheIntervalEndsOrOnDispose()
    {
        var (logger, lines, time) = NewLogger();
        for (int i = 0; i < 20; i++) ReadFailed(logger, 7, "bad block", i);
        time.Advance(RateLimitedLogger.Interval);
        logger.Flush(all: false);
        Assert.Contains(lines.All, l => l.Contains("15 similar message(s) suppressed") && l.Contains("bad block"));
        for (int i = 0; i < 8; i++) ReadFailed(logger, 7, "bad block", i);
        logger.Dispose();
        Assert.Contains(lines.All, l => l.Contains("3 similar message(s) suppressed"));
    }

    [Fact]
    public void ManyDistinctFilesShareOneBudgetBeyondTheKeyLimit()
    {
        var (logger, lines, _) = NewLogger();
        for (ulong node = 0; node < RateLimitedLogger.MaxKeys + 500; node++) ReadFailed(logger, node, "bad block", 0);
        Assert.Equal(RateLimitedLogger.MaxKeys + RateLimitedLogger.Burst, lines.All.Count);
    }

    [Fact]
    public void SyslogDatagramsAreRfc3164WithFacilityDaemon()
    {
        var dir = TestPaths.NewTempDirectory("syslog");
        var path = Path.Combine(dir, "log");
        try
        {
            using var server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            server.Bind(new UnixDomainSocketEndPoint(path));
            Assert.True(SyslogSink.IsAvailable(path));
            using (var sink = new SyslogSink(path))
            {
                var logger = new LineLogger(sink, LogLevel.Information);
                logger.LogWarning("device {Device} is larger than its slot", 1);
                logger.LogError("read of node {Node} failed", 9);
            }
            var buffer = new byte[4096];
            server.ReceiveTimeout = 5000;
            var first = Encoding.UTF8.GetString(buffer, 0, server.Receive(buffer));
            var second = Encoding.UTF8.GetString(buffer, 0, server.Receive(buffer));
            Assert.Matches($@"^<28>[A-Z][a-z]{{2}} [ 0-9]\d \d\d:\d\d:\d\d erofs-accel\[{Environment.ProcessId}\]: warning: device 1 is larger than its slot$", first);
            Assert.Matches(@"^<27>.* erofs-accel\[\d+\]: error: read of node 9 failed$", second);
        }
        finally
        {
            TestPaths.DeleteTree(dir);
        }
        Assert.False(SyslogSink.IsAvailable(Path.Combine(dir, "missing")));
    }

    [Fact]
    public void BackgroundServersLogToSyslogElseToAFile()
    {
        Assert.Equal("syslog", MountLog.DefaultDestination(syslogAvailable: true, isRoot: true, home: "/root"));
        Assert.Equal(MountLog.RootLogFile, MountLog.DefaultDestination(syslogAvailable: false, isRoot: true, home: "/root"));
        var user = MountLog.DefaultDestination(syslogAvailable: false, isRoot: false, home: "/home/u");
        Assert.True(user == "/home/u/.local/state/erofs-accel/erofs-accel.log" || user.EndsWith("/erofs-accel/erofs-accel.log"), user);
    }

    [Fact]
    public void ALogFileThatCannotBeOpenedIsAOneLineError()
    {
        var e = Assert.Throws<IOException>(() => MountLog.Open("/proc/version/x.log", background: true, TextWriter.Null));
        Assert.Contains("cannot open the log file /proc/version/x.log", e.Message);
    }
}
