using System.Runtime.InteropServices;
using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Tests.Transport;

/// <summary>
/// The io_uring structs have the sizes and offsets of include/uapi/linux/io_uring.h, and the FUSE ring structs those of
/// include/uapi/linux/fuse.h (7.42).
/// </summary>
public sealed class IoUringLayoutTests
{
    [Fact]
    public void IoUringStructsMatchTheKernelAbi()
    {
        Assert.Equal(40, Marshal.SizeOf<IoUringSubmissionOffsets>());
        Assert.Equal(40, Marshal.SizeOf<IoUringCompletionOffsets>());
        Assert.Equal(120, Marshal.SizeOf<IoUringParameters>());
        Assert.Equal(128, Marshal.SizeOf<IoUringSubmission128>());
        Assert.Equal(16, Marshal.SizeOf<IoUringCompletion>());
        Assert.Equal(24, Marshal.SizeOf<IoUringGetEventsArgument>());
        Assert.Equal(16, Marshal.SizeOf<KernelTimeSpec>());
        Assert.Equal(IoUringParameters.Size, Marshal.SizeOf<IoUringParameters>());
        Assert.Equal(IoUringSubmission128.Size, Marshal.SizeOf<IoUringSubmission128>());
        Assert.Equal(IoUringCompletion.Size, Marshal.SizeOf<IoUringCompletion>());

        Assert.Equal(24, Offset<IoUringSubmissionOffsets>(nameof(IoUringSubmissionOffsets.Array)));
        Assert.Equal(32, Offset<IoUringSubmissionOffsets>(nameof(IoUringSubmissionOffsets.UserAddress)));
        Assert.Equal(20, Offset<IoUringCompletionOffsets>(nameof(IoUringCompletionOffsets.Completions)));
        Assert.Equal(20, Offset<IoUringParameters>(nameof(IoUringParameters.Features)));
        Assert.Equal(40, Offset<IoUringParameters>(nameof(IoUringParameters.SubmissionOffsets)));
        Assert.Equal(80, Offset<IoUringParameters>(nameof(IoUringParameters.CompletionOffsets)));

        Assert.Equal(1, Offset<IoUringSubmission128>(nameof(IoUringSubmission128.Flags)));
        Assert.Equal(4, Offset<IoUringSubmission128>(nameof(IoUringSubmission128.Descriptor)));
        Assert.Equal(8, Offset<IoUringSubmission128>(nameof(IoUringSubmission128.CommandOperation)));
        Assert.Equal(16, Offset<IoUringSubmission128>(nameof(IoUringSubmission128.Address)));
        Assert.Equal(24, Offset<IoUringSubmission128>(nameof(IoUringSubmission128.Length)));
        Assert.Equal(28, Offset<IoUringSubmission128>(nameof(IoUringSubmission128.OperationFlags)));
        Assert.Equal(32, Offset<IoUringSubmission128>(nameof(IoUringSubmission128.UserData)));
        Assert.Equal(IoUringSubmission128.CommandOffset, Offset<IoUringSubmission128>(nameof(IoUringSubmission128.Command)));
        Assert.Equal(8, Offset<IoUringCompletion>(nameof(IoUringCompletion.Result)));
        Assert.Equal(16, Offset<IoUringGetEventsArgument>(nameof(IoUringGetEventsArgument.Timeout)));
    }

    [Fact]
    public void FuseRingStructsMatchTheKernelAbi()
    {
        Assert.Equal(32, Marshal.SizeOf<FuseUringEntryInOut>());
        Assert.Equal(288, Marshal.SizeOf<FuseUringRequestHeader>());
        Assert.Equal(24, Marshal.SizeOf<FuseUringCommandRequest>());
        Assert.Equal(FuseUringEntryInOut.Size, Marshal.SizeOf<FuseUringEntryInOut>());
        Assert.Equal(FuseUringRequestHeader.Size, Marshal.SizeOf<FuseUringRequestHeader>());
        Assert.Equal(FuseUringCommandRequest.Size, Marshal.SizeOf<FuseUringCommandRequest>());
        // the command must fit the 80-byte area of an SQE128
        Assert.True(FuseUringCommandRequest.Size <= IoUringSubmission128.CommandSize);

        Assert.Equal(8, Offset<FuseUringEntryInOut>(nameof(FuseUringEntryInOut.CommitId)));
        Assert.Equal(16, Offset<FuseUringEntryInOut>(nameof(FuseUringEntryInOut.PayloadSize)));
        Assert.Equal(128, Offset<FuseUringRequestHeader>(nameof(FuseUringRequestHeader.OperationIn)));
        Assert.Equal(256, Offset<FuseUringRequestHeader>(nameof(FuseUringRequestHeader.EntryInOut)));
        Assert.Equal(8, Offset<FuseUringCommandRequest>(nameof(FuseUringCommandRequest.CommitId)));
        Assert.Equal(16, Offset<FuseUringCommandRequest>(nameof(FuseUringCommandRequest.QueueId)));
        Assert.Equal(1UL << 41, (ulong)FuseInitFlags.OverIoUring);
    }

    private static int Offset<T>(string field) => (int)Marshal.OffsetOf<T>(field);
}
