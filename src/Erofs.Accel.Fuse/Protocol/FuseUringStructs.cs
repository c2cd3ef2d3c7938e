using System.Runtime.InteropServices;

namespace Erofs.Accel.Fuse.Protocol;

/// <summary>
/// struct fuse_uring_ent_in_out (32 bytes): the kernel sets <see cref="CommitId"/> (the request's unique) and the size of
/// the payload it wrote; the server sets <see cref="PayloadSize"/> to the size of the reply payload.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseUringEntryInOut
{
    public const int Size = 32;
    public ulong Flags;
    public ulong CommitId;
    public uint PayloadSize;
    public uint Padding;
    public ulong Reserved;
}

/// <summary>
/// struct fuse_uring_req_header (288 bytes), one per ring entry, in the server's memory: the kernel writes the request's
/// fuse_in_header into <see cref="InOut"/>, the opcode's first argument (e.g. fuse_read_in) into
/// <see cref="OperationIn"/> and everything else into the entry's payload buffer; the server answers with a
/// fuse_out_header in <see cref="InOut"/> and the reply body in the payload buffer.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseUringRequestHeader
{
    public const int Size = 288;
    /// <summary>FUSE_URING_IN_OUT_HEADER_SZ.</summary>
    public const int InOutSize = 128;
    /// <summary>FUSE_URING_OP_IN_OUT_SZ.</summary>
    public const int OperationInSize = 128;

    public fixed byte InOut[InOutSize];
    public fixed byte OperationIn[OperationInSize];
    public FuseUringEntryInOut EntryInOut;
}

/// <summary>struct fuse_uring_cmd_req (24 bytes), in the command area of an IORING_OP_URING_CMD submission.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseUringCommandRequest
{
    public const int Size = 24;
    public ulong Flags;
    /// <summary>For COMMIT_AND_FETCH: the commit id the kernel gave with the request being answered.</summary>
    public ulong CommitId;
    /// <summary>The queue (CPU) the entry belongs to.</summary>
    public ushort QueueId;
    private ushort _padding0;
    private uint _padding1;
}

/// <summary>enum fuse_uring_cmd: the cmd_op of an IORING_OP_URING_CMD on /dev/fuse.</summary>
internal enum FuseUringCommand : uint
{
    Invalid = 0,
    /// <summary>FUSE_IO_URING_CMD_REGISTER: hand an entry's buffers to the kernel and wait for a request.</summary>
    Register = 1,
    /// <summary>FUSE_IO_URING_CMD_COMMIT_AND_FETCH: deliver the reply in the entry and wait for the next request.</summary>
    CommitAndFetch = 2,
}
