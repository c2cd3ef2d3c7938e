using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Transport;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Fuse.Server;

/// <summary>
/// Pushes the file bytes a filesystem suggested around a READ (<see cref="ReadReply.SuggestPrefill"/>) into the
/// kernel's page cache with FUSE_NOTIFY_STORE, so that later reads of them are served by the kernel without a round
/// trip. A random 4 KiB read makes the kernel ask FUSE for that one page, while a compressed filesystem decodes a whole
/// extent to answer it; the kernel's own EROFS keeps every page of the extent, and this gives a FUSE filesystem the same.
/// <para>
/// The stores run on one thread of its own, never on a request thread. The kernel copies a store into page-cache pages
/// under their lock, and a page may be locked by a READ in flight that a request thread has yet to answer: a request
/// thread that sent stores could wait on a page that its own queue must answer first. This thread waits on no one the
/// request threads wait on: they hand it windows without blocking, and windows are dropped (and counted) when it falls
/// behind. The pages of the READ itself are never stored: the reply fills them.
/// </para>
/// </summary>
internal sealed class PageCachePrefiller : IDisposable
{
    /// <summary>Windows waiting for the thread; more are dropped.</summary>
    public const int QueueCapacity = 64;

    /// <summary>One suggested range, rounded to pages: stored except for [SkipStart, SkipEnd), the pages the READ answered.</summary>
    public readonly record struct Window(ulong NodeId, ulong Inode, long Start, long End, long SkipStart, long SkipEnd);

    private readonly IReadOnlyFileSystem _fileSystem;
    private readonly FuseDevice _device;
    private readonly ILogger _logger;
    private readonly int _pageSize;
    private readonly int _maxBytesPerSide;
    private readonly Window[] _queue = new Window[QueueCapacity];
    private readonly object _gate = new();
    private ReplyBuilder? _builder;
    private readonly ReadReply _reply = new() { IsPrefill = true };
    private Thread? _thread;
    private int _head;
    private int _count;
    private bool _waiting;
    private bool _stopped;
    private long _storedBytes;
    private long _storedWindows;
    private long _droppedWindows;
    private long _failedStores;

    /// <param name="maxBytesPerSide">Most bytes stored before the READ's pages, and most after them.</param>
    public PageCachePrefiller(IReadOnlyFileSystem fileSystem, FuseDevice device, int maxBytesPerSide, ILogger logger, int pageSize = 0)
    {
        _fileSystem = fileSystem;
        _device = device;
        _logger = logger;
        _pageSize = pageSize > 0 ? pageSize : Environment.SystemPageSize;
        if ((_pageSize & (_pageSize - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(pageSize), "a page size is a power of two");
        _maxBytesPerSide = Math.Max(_pageSize, maxBytesPerSide / _pageSize * _pageSize);
    }

    /// <summary>Bytes pushed into the page cache so far.</summary>
    public long StoredBytes => Interlocked.Read(ref _storedBytes);

    /// <summary>Windows stored so far.</summary>
    public long StoredWindows => Interlocked.Read(ref _storedWindows);

    /// <summary>Windows dropped because the thread was behind.</summary>
    public long DroppedWindows => Interlocked.Read(ref _droppedWindows);

    /// <summary>Stores the kernel refused, or whose bytes the filesystem could not read.</summary>
    public long FailedStores => Interlocked.Read(ref _failedStores);

    /// <summary>
    /// The window to store after a READ of node <paramref name="nodeId"/> answered <paramref name="answered"/> bytes at
    /// <paramref name="readOffset"/> with the suggestion [<paramref name="offset"/>, +<paramref name="length"/>): rounded
    /// out to pages, at most the per-side bound beyond the READ's pages. False when it adds no page.
    /// </summary>
    public bool TryPlan(ulong nodeId, ulong inode, long readOffset, int answered, long offset, long length, out Window window)
    {
        window = default;
        if (answered <= 0 || length <= 0 || offset < 0 || offset > long.MaxValue - length) return false;
        long page = _pageSize;
        long skipStart = readOffset / page * page;
        long skipEnd = (readOffset + answered + page - 1) / page * page;
        long start = Math.Max(offset / page * page, skipStart - _maxBytesPerSide);
        long endUnrounded = offset + length;
        long end = Math.Min(endUnrounded > long.MaxValue - page ? endUnrounded : (endUnrounded + page - 1) / page * page, skipEnd + _maxBytesPerSide);
        if (start >= skipStart && end <= skipEnd) return false;
        window = new Window(nodeId, inode, start, end, skipStart, skipEnd);
        return true;
    }

    /// <summary>
    /// The window to store for [<paramref name="offset"/>, +<paramref name="length"/>) of another file (nothing of it was
    /// answered): rounded out to pages and bounded to the per-side limit. False when the range is empty or makes no sense.
    /// </summary>
    public bool TryPlanWhole(ulong nodeId, ulong inode, long offset, long length, out Window window)
    {
        window = default;
        if (length <= 0 || offset < 0 || offset > long.MaxValue - length - _pageSize) return false;
        long page = _pageSize;
        long start = offset / page * page;
        long end = Math.Min((offset + length + page - 1) / page * page, start + _maxBytesPerSide);
        window = new Window(nodeId, inode, start, end, start, start);
        return true;
    }

    /// <summary>Queues a window for the thread without waiting; false (and counted) when the queue is full or stopped.</summary>
    public bool TryEnqueue(in Window window)
    {
        lock (_gate)
        {
            if (_stopped || _count == _queue.Length)
            {
                _droppedWindows++;
                return false;
            }
            _queue[(_head + _count) % _queue.Length] = window;
            _count++;
            if (_thread is null)
            {
                _builder = new ReplyBuilder(FuseOutHeader.Size + FuseNotifyStoreOut.Size + _maxBytesPerSide);
                _thread = new Thread(Run) { IsBackground = true, Name = "fuse-prefill" };
                _thread.Start();
            }
            else if (_waiting)
            {
                Monitor.Pulse(_gate);
            }
        }
        return true;
    }

    /// <summary>Stops the thread after the store in progress; queued windows are dropped.</summary>
    public void Stop()
    {
        Thread? thread;
        lock (_gate)
        {
            _stopped = true;
            _count = 0;
            Monitor.PulseAll(_gate);
            thread = _thread;
        }
        if (thread is not null && thread != Thread.CurrentThread) thread.Join(TimeSpan.FromSeconds(5));
    }

    public void Dispose()
    {
        Stop();
        _builder?.Dispose();
    }

    private void Run()
    {
        while (true)
        {
            Window window;
            lock (_gate)
            {
                while (_count == 0 && !_stopped)
                {
                    _waiting = true;
                    Monitor.Wait(_gate);
                    _waiting = false;
                }
                if (_stopped) return;
                window = _queue[_head];
                _head = (_head + 1) % _queue.Length;
                _count--;
            }
            bool stored = Store(window.NodeId, window.Inode, window.Start, window.SkipStart);
            stored |= Store(window.NodeId, window.Inode, Math.Max(window.Start, window.SkipEnd), window.End);
            if (stored) Interlocked.Increment(ref _storedWindows);
        }
    }

    /// <summary>Reads [start, end) of the node through the filesystem and stores what it gave; false when nothing was stored.</summary>
    private bool Store(ulong nodeId, ulong inode, long start, long end)
    {
        if (end <= start) return false;
        var builder = _builder!;
        try
        {
            builder.BeginNotification(FuseNotifyCode.Store);
            ref var head = ref builder.Append<FuseNotifyStoreOut>();
            head.NodeId = nodeId;
            head.Offset = (ulong)start;
            _reply.Attach(builder, (int)Math.Min(end - start, _maxBytesPerSide));
            Errno errno;
            try
            {
                errno = _fileSystem.Read(inode, start, _reply.Capacity, _reply);
                head.DataLength = (uint)_reply.Length;
            }
            finally
            {
                _reply.Detach();
            }
            // fewer bytes than asked means the end of the file: the store ends there too, so the kernel's idea of the
            // file size (which a store reaching past it would grow) stays as it is
            if (errno != Errno.Success || head.DataLength == 0) return false;
            builder.Complete();
            var error = _device.WriteReply(builder.Segments);
            if (error == Errno.Success)
            {
                Interlocked.Add(ref _storedBytes, head.DataLength);
                return true;
            }
            if (error == Errno.ENODEV)
            {
                lock (_gate) _stopped = true;
            }
            else if (error != Errno.ENOENT)
            {
                // ENOENT: the kernel has forgotten the node; nothing to fill
                Interlocked.Increment(ref _failedStores);
                _logger.LogDebug("FUSE: storing {Length} bytes of node {Node} at {Offset} failed: {Error}", head.DataLength, nodeId, start, error);
            }
            return false;
        }
        catch (Exception e)
        {
            // a hint only: the reader asks again if it needs the bytes, and gets the error then
            Interlocked.Increment(ref _failedStores);
            _logger.LogDebug(e, "FUSE: reading node {Node} at {Offset} to fill the page cache failed", nodeId, start);
            return false;
        }
        finally
        {
            builder.ReleaseExternal();
        }
    }
}
