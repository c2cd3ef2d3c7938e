using System.Runtime.InteropServices;

namespace Erofs.Accel.Interop;

/// <summary>struct io_sqring_offsets: where the submission ring's fields lie in its mapping (40 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringSubmissionOffsets
{
    public const int Size = 40;
    public uint Head;
    public uint Tail;
    public uint RingMask;
    public uint RingEntries;
    public uint Flags;
    public uint Dropped;
    public uint Array;
    public uint Reserved1;
    public ulong UserAddress;
}

/// <summary>struct io_cqring_offsets: where the completion ring's fields lie in its mapping (40 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringCompletionOffsets
{
    public const int Size = 40;
    public uint Head;
    public uint Tail;
    public uint RingMask;
    public uint RingEntries;
    public uint Overflow;
    public uint Completions;
    public uint Flags;
    public uint Reserved1;
    public ulong UserAddress;
}

/// <summary>struct io_uring_params: filled in by the caller (entries, flags) and by io_uring_setup (the rest), 120 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringParameters
{
    public const int Size = 120;
    public uint SubmissionEntries;
    public uint CompletionEntries;
    public uint Flags;
    public uint SubmissionThreadCpu;
    public uint SubmissionThreadIdle;
    public uint Features;
    public uint WorkQueueDescriptor;
    public uint Reserved0;
    public uint Reserved1;
    public uint Reserved2;
    public IoUringSubmissionOffsets SubmissionOffsets;
    public IoUringCompletionOffsets CompletionOffsets;
}

/// <summary>
/// struct io_uring_sqe of a ring set up with IORING_SETUP_SQE128: the 64-byte entry followed by 64 more bytes, so the
/// command area that starts at offset 48 holds 80 bytes (IORING_OP_URING_CMD puts its command there).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal unsafe struct IoUringSubmission128
{
    public const int Size = 128;
    /// <summary>Offset of the command area (sqe->cmd).</summary>
    public const int CommandOffset = 48;
    /// <summary>Bytes of command data an SQE128 carries.</summary>
    public const int CommandSize = 80;

    [FieldOffset(0)] public byte Opcode;
    [FieldOffset(1)] public byte Flags;
    [FieldOffset(2)] public ushort IoPriority;
    [FieldOffset(4)] public int Descriptor;
    /// <summary>off / addr2; for IORING_OP_URING_CMD the low half is cmd_op.</summary>
    [FieldOffset(8)] public ulong Offset;
    [FieldOffset(8)] public uint CommandOperation;
    [FieldOffset(16)] public ulong Address;
    [FieldOffset(24)] public uint Length;
    /// <summary>rw_flags, poll32_events, uring_cmd_flags, ...: the opcode's own flags.</summary>
    [FieldOffset(28)] public uint OperationFlags;
    [FieldOffset(32)] public ulong UserData;
    [FieldOffset(40)] public ushort BufferIndex;
    [FieldOffset(42)] public ushort Personality;
    [FieldOffset(44)] public int SpliceDescriptorIn;
    [FieldOffset(48)] public fixed byte Command[CommandSize];
}

/// <summary>struct io_uring_cqe (16 bytes; rings here never use CQE32).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringCompletion
{
    public const int Size = 16;
    public ulong UserData;
    /// <summary>The operation's result: a count, 0, or a negated errno.</summary>
    public int Result;
    public uint Flags;
}

/// <summary>struct io_uring_getevents_arg, passed to io_uring_enter with IORING_ENTER_EXT_ARG (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringGetEventsArgument
{
    public const int Size = 24;
    public ulong SignalMask;
    public uint SignalMaskSize;
    public uint MinimumWaitMicroseconds;
    /// <summary>Pointer to a struct __kernel_timespec, or 0 to wait without a timeout.</summary>
    public ulong Timeout;
}

/// <summary>struct __kernel_timespec.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KernelTimeSpec
{
    public long Seconds;
    public long Nanoseconds;
}

/// <summary>io_uring: the three system calls (through syscall(2); glibc has no wrappers), mmap of its rings, eventfd.</summary>
internal static unsafe partial class Libc
{
    // the io_uring system calls have the same numbers on every architecture (the generic table)
    private const long SYS_io_uring_setup = 425, SYS_io_uring_enter = 426, SYS_io_uring_register = 427;

    public const uint IORING_SETUP_CQSIZE = 1U << 3, IORING_SETUP_COOP_TASKRUN = 1U << 8, IORING_SETUP_TASKRUN_FLAG = 1U << 9,
        IORING_SETUP_SQE128 = 1U << 10, IORING_SETUP_SINGLE_ISSUER = 1U << 12, IORING_SETUP_DEFER_TASKRUN = 1U << 13;
    public const uint IORING_FEAT_SINGLE_MMAP = 1U << 0, IORING_FEAT_NODROP = 1U << 1, IORING_FEAT_EXT_ARG = 1U << 8;
    public const uint IORING_ENTER_GETEVENTS = 1U << 0, IORING_ENTER_EXT_ARG = 1U << 3;
    public const long IORING_OFF_SQ_RING = 0, IORING_OFF_CQ_RING = 0x8000000, IORING_OFF_SQES = 0x10000000;
    public const byte IORING_OP_NOP = 0, IORING_OP_POLL_ADD = 6, IORING_OP_URING_CMD = 46;
    /// <summary>sqe->flags: fd is an index into the ring's registered files.</summary>
    public const byte IOSQE_FIXED_FILE = 1 << 0;
    public const uint IORING_REGISTER_FILES = 2;

    public const int PROT_READ = 0x1, PROT_WRITE = 0x2;
    public const int MAP_SHARED = 0x01, MAP_POPULATE = 0x8000;
    public const int EFD_CLOEXEC = 0x80000;

    /// <summary>io_uring_setup(2): a new ring's descriptor, or -1 with errno set.</summary>
    public static int IoUringSetup(uint entries, IoUringParameters* parameters) =>
        (int)Syscall(SYS_io_uring_setup, (nint)entries, (nint)parameters, 0, 0, 0, 0);

    /// <summary>io_uring_enter(2): submits and/or waits; the number of entries submitted, or -1 with errno set.</summary>
    public static int IoUringEnter(int ring, uint toSubmit, uint minimumComplete, uint flags, void* argument, nuint argumentSize) =>
        (int)Syscall(SYS_io_uring_enter, ring, (nint)toSubmit, (nint)minimumComplete, (nint)flags, (nint)argument, (nint)argumentSize);

    /// <summary>io_uring_register(2): 0, or -1 with errno set.</summary>
    public static int IoUringRegister(int ring, uint opcode, void* argument, uint count) =>
        (int)Syscall(SYS_io_uring_register, ring, (nint)opcode, (nint)argument, (nint)count, 0, 0);

    [LibraryImport(LibraryName, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, nint a1, nint a2, nint a3, nint a4, nint a5, nint a6);

    [LibraryImport(LibraryName, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* address, nuint length, int protection, int flags, int descriptor, long offset);

    [LibraryImport(LibraryName, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* address, nuint length);

    /// <summary>MAP_FAILED.</summary>
    public static readonly void* MapFailed = (void*)-1;

    [LibraryImport(LibraryName, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);
}
