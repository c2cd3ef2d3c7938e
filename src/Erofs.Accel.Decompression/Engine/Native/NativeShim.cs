using System.Runtime.InteropServices;
using Erofs.Accel.Decompression.Interop;

namespace Erofs.Accel.Decompression.Engine.Native;

/// <summary>
/// One loaded native shim: its export table (interop/common/erofs_accel_shim.h), checked once, and typed calls through
/// it. Contexts are <see cref="ShimContextHandle"/>s, held (AddRef) for the length of every call that uses them.
/// </summary>
internal sealed unsafe class NativeShim
{
    private readonly ShimExportTable* _table;

    private NativeShim(ShimExportTable* table, string location)
    {
        _table = table;
        Location = location;
        Name = Marshal.PtrToStringUTF8((nint)table->Name) ?? "?";
        LibraryVersion = Marshal.PtrToStringUTF8((nint)table->LibraryVersion()) ?? "unknown";
    }

    /// <summary>Where the shim was loaded from.</summary>
    public string Location { get; }

    /// <summary>The table's own name ("qpl", "qat").</summary>
    public string Name { get; }

    /// <summary>Version of the accelerator library inside the shim.</summary>
    public string LibraryVersion { get; }

    /// <summary>
    /// Loads lib<paramref name="libraryName"/>.so and checks its export table (symbol, ABI version, size, name).
    /// Never throws; null with <paramref name="problem"/> saying what was tried or what is wrong.
    /// </summary>
    public static NativeShim? TryLoad(string libraryName, string expectedName, IEnumerable<string>? directories, out string problem)
    {
        try
        {
            if (!NativeShimLocator.TryLoad(libraryName, directories, out var library, out var where))
            {
                problem = where;
                return null;
            }
            if (!NativeLibrary.TryGetExport(library, ErofsAccelShim.ExportsSymbol, out var export))
            {
                problem = $"{where} lacks {ErofsAccelShim.ExportsSymbol} (a shim of an older ABI): rebuild it";
                return null;
            }
            var table = ((delegate* unmanaged<ShimExportTable*>)export)();
            if (table is null || table->AbiVersion != ErofsAccelShim.AbiVersion || table->Size < (uint)sizeof(ShimExportTable))
            {
                problem = table is null
                    ? $"{where} returned no export table: rebuild it"
                    : $"{where} has shim ABI version {table->AbiVersion} (table of {table->Size} bytes), this build needs " +
                      $"{ErofsAccelShim.AbiVersion} ({sizeof(ShimExportTable)} bytes): rebuild it";
                return null;
            }
            var shim = new NativeShim(table, where);
            if (shim.Name != expectedName)
            {
                problem = $"{where} is the {shim.Name} shim, not {expectedName}";
                return null;
            }
            problem = "";
            return shim;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            problem = $"{libraryName}: {e.Message}";
            return null;
        }
    }

    public int Probe(int path, out int nativeStatus)
    {
        int native;
        int rc = _table->Probe(path, &native);
        nativeStatus = native;
        return rc;
    }

    /// <summary>A context of <paramref name="poolSize"/> jobs on <paramref name="path"/>, or null (status in the return).</summary>
    public int ContextCreate(int path, uint poolSize, out ShimContextHandle? context, out int nativeStatus)
    {
        nint handle;
        int native;
        int rc = _table->ContextCreate(path, poolSize, &handle, &native);
        nativeStatus = native;
        context = rc == ShimStatus.Ok && handle != 0 ? new ShimContextHandle(handle, this) : null;
        return rc;
    }

    internal int ContextDestroy(nint context) => _table->ContextDestroy(context);

    public uint ContextFreeJobs(ShimContextHandle context)
    {
        bool added = false;
        try
        {
            context.DangerousAddRef(ref added);
            return _table->ContextFreeJobs(context.DangerousGetHandle());
        }
        finally
        {
            if (added) context.DangerousRelease();
        }
    }

    public int Decompress(ShimContextHandle context, byte* source, uint sourceLength, byte* destination, uint destinationLength,
        uint expectedLength, uint flags, out ShimResult result)
    {
        bool added = false;
        try
        {
            context.DangerousAddRef(ref added);
            ShimResult r;
            int rc = _table->Decompress(context.DangerousGetHandle(), source, sourceLength, destination, destinationLength,
                expectedLength, flags, &r);
            result = r;
            return rc;
        }
        finally
        {
            if (added) context.DangerousRelease();
        }
    }

    /// <summary>
    /// Starts a decode. The caller holds a reference on <paramref name="context"/> for as long as the operation exists
    /// (the context must outlive it) and keeps both buffers pinned.
    /// </summary>
    public int Submit(ShimContextHandle context, byte* source, uint sourceLength, byte* destination, uint destinationLength,
        uint expectedLength, uint flags, out nint operation, out ShimResult result)
    {
        nint op;
        ShimResult r;
        int rc = _table->Submit(context.DangerousGetHandle(), source, sourceLength, destination, destinationLength, expectedLength,
            flags, &op, &r);
        operation = op;
        result = r;
        return rc;
    }

    public int Poll(nint operation, out ShimResult result)
    {
        ShimResult r;
        int rc = _table->Poll(operation, &r);
        result = r;
        return rc;
    }

    public int Wait(nint operation, out ShimResult result)
    {
        ShimResult r;
        int rc = _table->Wait(operation, &r);
        result = r;
        return rc;
    }

    public void Release(nint operation) => _table->Release(operation);

    /// <summary>Routes the library's log lines to <paramref name="sink"/> (null: drop them), up to <paramref name="maxLevel"/>.</summary>
    public void SetLogSink(delegate* unmanaged<int, byte*, void> sink, int maxLevel) => _table->SetLogSink(sink, maxLevel);
}
