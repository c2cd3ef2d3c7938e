namespace Erofs.Accel.Fuse.Protocol;

/// <summary>What the server does with an opcode.</summary>
internal enum OpcodeDisposition : byte
{
    /// <summary>Not implemented: answered with ENOSYS so the kernel stops asking or falls back.</summary>
    NotImplemented,
    /// <summary>Handled by the dispatcher.</summary>
    Handled,
    /// <summary>Would modify the filesystem: answered with EROFS.</summary>
    ReadOnly,
    /// <summary>The kernel expects no answer (FORGET, BATCH_FORGET, INTERRUPT, NOTIFY_REPLY).</summary>
    NoReply,
}

/// <summary>One row of the opcode table.</summary>
internal readonly record struct OpcodeInfo(string Name, OpcodeDisposition Disposition, int MinimumPayload);

/// <summary>The opcode table: name, disposition and minimum payload size of every opcode the kernel may send.</summary>
internal static class FuseOpcodeTable
{
    private static readonly OpcodeInfo UnknownOpcode = new("UNKNOWN", OpcodeDisposition.NotImplemented, 0);
    private static readonly OpcodeInfo[] Rows = Build();

    public static OpcodeInfo Get(FuseOpcode opcode) =>
        (uint)opcode < (uint)Rows.Length && Rows[(int)opcode].Name is not null ? Rows[(int)opcode] : UnknownOpcode;

    private static OpcodeInfo[] Build()
    {
        var rows = new OpcodeInfo[(int)FuseOpcode.Statx + 1];
        void Set(FuseOpcode op, OpcodeDisposition disposition, int minimumPayload = 0) =>
            rows[(int)op] = new OpcodeInfo(op.ToString().ToUpperInvariant(), disposition, minimumPayload);

        Set(FuseOpcode.Lookup, OpcodeDisposition.Handled, 2);
        Set(FuseOpcode.Forget, OpcodeDisposition.NoReply, FuseForgetIn.Size);
        Set(FuseOpcode.GetAttr, OpcodeDisposition.Handled, FuseGetAttrIn.Size);
        Set(FuseOpcode.SetAttr, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.ReadLink, OpcodeDisposition.Handled);
        Set(FuseOpcode.Symlink, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.MakeNode, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.MakeDirectory, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.Unlink, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.RemoveDirectory, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.Rename, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.Link, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.Open, OpcodeDisposition.Handled, FuseOpenIn.Size);
        Set(FuseOpcode.Read, OpcodeDisposition.Handled, FuseReadIn.Size);
        Set(FuseOpcode.Write, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.StatFs, OpcodeDisposition.Handled);
        Set(FuseOpcode.Release, OpcodeDisposition.Handled);
        Set(FuseOpcode.FSync, OpcodeDisposition.NotImplemented);
        Set(FuseOpcode.SetXattr, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.GetXattr, OpcodeDisposition.Handled, FuseGetXattrIn.Size + 2);
        Set(FuseOpcode.ListXattr, OpcodeDisposition.Handled, FuseGetXattrIn.Size);
        Set(FuseOpcode.RemoveXattr, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.Flush, OpcodeDisposition.NotImplemented);
        Set(FuseOpcode.Init, OpcodeDisposition.Handled, FuseInitIn.CompatSize);
        Set(FuseOpcode.OpenDir, OpcodeDisposition.Handled, FuseOpenIn.Size);
        Set(FuseOpcode.ReadDir, OpcodeDisposition.Handled, FuseReadIn.Size);
        Set(FuseOpcode.ReleaseDir, OpcodeDisposition.Handled);
        Set(FuseOpcode.FSyncDir, OpcodeDisposition.NotImplemented);
        Set(FuseOpcode.GetLock, OpcodeDisposition.NotImplemented);
        Set(FuseOpcode.SetLock, OpcodeDisposition.NotImplemented);
        Set(FuseOpcode.SetLockWait, OpcodeDisposition.NotImplemented);
        Set(FuseOpcode.Access, OpcodeDisposition.Handled, FuseAccessIn.Size);
        Set(FuseOpcode.Create, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.Interrupt, OpcodeDisposition.NoReply, FuseInterruptIn.Size);
        Set(FuseOpcode.BMap, OpcodeDisposition.NotImplemented);
        Set(FuseOpcode.Destroy, OpcodeDisposition.Handled);
        Set(FuseOpcode.IoCtl, OpcodeDisposition.NotImplemented);
        Set(FuseOpcode.Poll, OpcodeDisposition.NotImplemented);
        Set(FuseOpcode.NotifyReply, OpcodeDisposition.NoReply);
        Set(FuseOpcode.BatchForget, OpcodeDisposition.NoReply, FuseBatchForgetIn.Size);
        Set(FuseOpcode.FAllocate, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.ReadDirPlus, OpcodeDisposition.Handled, FuseReadIn.Size);
        Set(FuseOpcode.Rename2, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.LSeek, OpcodeDisposition.NotImplemented);
        Set(FuseOpcode.CopyFileRange, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.SetupMapping, OpcodeDisposition.NotImplemented);
        Set(FuseOpcode.RemoveMapping, OpcodeDisposition.NotImplemented);
        Set(FuseOpcode.SyncFs, OpcodeDisposition.NotImplemented);
        Set(FuseOpcode.TmpFile, OpcodeDisposition.ReadOnly);
        Set(FuseOpcode.Statx, OpcodeDisposition.NotImplemented);
        return rows;
    }
}
