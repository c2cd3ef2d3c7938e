using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Tests.TestSupport;
using Erofs.Accel.Fuse.Transport;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Tests.Transport;

/// <summary>The FUSE side of a ring entry: the submissions it sends, the messages it rebuilds, its stop event.</summary>
public sealed unsafe class FuseUringChannelTests
{
    [Fact]
    public void RegisterSubmissionIsAUringCommandWithTheQueueAndBothIovecs()
    {
        var bytes = new byte[IoUringSubmission128.Size];
        var vectors = stackalloc IoVector[2];
        fixed (byte* pointer = bytes)
            FuseUringChannel.Encode(ref *(IoUringSubmission128*)pointer, 9, fixedFile: false, FuseUringCommand.Register, 5, 3, 0, vectors);

        Assert.Equal(46, bytes[0]);                                                   // IORING_OP_URING_CMD
        Assert.Equal(0, bytes[1]);                                                    // a plain descriptor
        Assert.Equal(9, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));     // fd
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));   // cmd_op REGISTER
        Assert.Equal((ulong)vectors, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16))); // addr: the iovecs
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)));  // len: two of them
        Assert.Equal(5UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(32))); // user_data
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(48 + 8))); // commit_id
        Assert.Equal(3, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(48 + 16))); // qid
    }

    [Fact]
    public void CommitSubmissionCarriesTheCommitIdAndNoBuffers()
    {
        var bytes = new byte[IoUringSubmission128.Size];
        fixed (byte* pointer = bytes)
            FuseUringChannel.Encode(ref *(IoUringSubmission128*)pointer, 0, fixedFile: true, FuseUringCommand.CommitAndFetch, 2, 1, 0xABCDEF, null);

        Assert.Equal(1, bytes[1]);                                                    // IOSQE_FIXED_FILE
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));     // registered file 0
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));   // cmd_op COMMIT_AND_FETCH
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)));
        Assert.Equal(0xABCDEFUL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(48 + 8)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(48 + 16)));
    }

    [Fact]
    public void RequestIsRebuiltFromHeaderOperationAreaAndPayload()
    {
        // GETXATTR as the ring delivers it: fuse_getxattr_in in op_in, the name in the payload
        var message = FuseMessages.Request(FuseOpcode.GetXattr, 77, 12, new FuseGetXattrIn { Length = 100 }, FuseMessages.Name("user.blob"));
        var (inHeader, operationIn, payload, payloadSize) = Split(message, Marshal.SizeOf<FuseGetXattrIn>());
        var destination = new byte[256];
        Assert.Equal(FuseUringRequestStatus.Ok, FuseUringChannel.AssembleRequest(inHeader, operationIn, payload, payloadSize, destination));
        Assert.Equal(message, destination.AsSpan(0, message.Length).ToArray());
    }

    [Fact]
    public void InconsistentSizesAreMalformedAndAnOversizedRequestIsTooLarge()
    {
        var message = FuseMessages.Request(FuseOpcode.Lookup, 5, 1, FuseMessages.Name("a-name"));
        var (inHeader, operationIn, payload, payloadSize) = Split(message, 0);
        var destination = new byte[256];
        // the payload claims more than the header's length leaves
        Assert.Equal(FuseUringRequestStatus.Malformed, FuseUringChannel.AssembleRequest(inHeader, operationIn, payload, (uint)message.Length, destination));
        // more than the payload buffer holds
        Assert.Equal(FuseUringRequestStatus.Malformed, FuseUringChannel.AssembleRequest(inHeader, operationIn, payload.AsSpan(0, 2), payloadSize, destination));
        // an operation header beyond the 128-byte op_in area
        var big = FuseMessages.Request(FuseOpcode.Lookup, 5, 1, new byte[300]);
        var (bigHeader, bigOperation, bigPayload, _) = Split(big, 0);
        Assert.Equal(FuseUringRequestStatus.Malformed, FuseUringChannel.AssembleRequest(bigHeader, bigOperation, bigPayload, 0, new byte[1024]));
        // a message larger than the request buffer
        Assert.Equal(FuseUringRequestStatus.TooLarge, FuseUringChannel.AssembleRequest(inHeader, operationIn, payload, payloadSize, new byte[message.Length - 1]));
    }

    [Fact]
    public void StopEventWakesTheWaitingThread()
    {
        var payload = GC.AllocateArray<byte>(8192, pinned: true);
        FuseUringChannel channel;
        try
        {
            channel = FuseUringChannel.Create(-1, [new FuseUringChannel.EntrySpecification(0, (nint)Unsafe(payload), payload.Length)]);
        }
        catch (IoUringException e) when (e.Errno is Errno.ENOSYS or Errno.EPERM)
        {
            Assert.Skip($"io_uring is not available here: {e.Message}");
            throw;
        }
        channel.WatchStopEvent();
        Assert.Equal(Errno.Success, channel.Submit());
        var stopper = new Thread(() =>
        {
            Thread.Sleep(50);
            channel.RequestStop();
        });
        stopper.Start();
        Assert.Equal(Errno.Success, channel.SubmitAndWait(timeoutMilliseconds: 10_000));
        Assert.True(channel.TryTakeCompletion(out var token, out var result));
        Assert.Equal(FuseUringChannel.StopToken, token);
        Assert.True(result > 0, $"poll result {result}");
        stopper.Join();
        channel.Dispose(entriesReleased: true);
        channel.RequestStop(); // harmless once disposed
    }

    /// <summary>Splits a /dev/fuse message the way the kernel fills a ring entry (arg0 into op_in, the rest into the payload).</summary>
    internal static (byte[] InHeader, byte[] OperationIn, byte[] Payload, uint PayloadSize) Split(byte[] message, int argumentSize)
    {
        var inHeader = message.AsSpan(0, FuseInHeader.Size).ToArray();
        var operationIn = new byte[FuseUringRequestHeader.OperationInSize];
        var argument = Math.Min(argumentSize, message.Length - FuseInHeader.Size);
        message.AsSpan(FuseInHeader.Size, Math.Min(argument, operationIn.Length)).CopyTo(operationIn);
        var rest = message.AsSpan(FuseInHeader.Size + argument).ToArray();
        var payload = new byte[Math.Max(rest.Length, 8192)];
        rest.CopyTo(payload, 0);
        return (inHeader, operationIn, payload, (uint)rest.Length);
    }

    private static byte* Unsafe(byte[] pinned) => (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
}
