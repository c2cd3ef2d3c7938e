using System.Buffers;

namespace Erofs.Accel.Decompression.Engine.Native;

/// <summary>
/// A decode submitted through a shim (erofs_*_submit). Keeps the source and destination pinned and the context alive
/// until disposed; disposing waits for a still-running job before recycling it.
/// </summary>
internal sealed class ShimDecodeOperation : IDisposable
{
    private readonly ShimAcceleratorBackend _owner;
    private readonly NativeShim _shim;
    private readonly ShimContextHandle _context;
    private MemoryHandle _sourcePin;
    private MemoryHandle _destinationPin;
    private nint _operation;
    private DecodeStatus? _final;

    internal ShimDecodeOperation(ShimAcceleratorBackend owner, NativeShim shim, ShimContextHandle context, nint operation,
        MemoryHandle sourcePin, MemoryHandle destinationPin)
    {
        _owner = owner;
        _shim = shim;
        _context = context;
        _operation = operation;
        _sourcePin = sourcePin;
        _destinationPin = destinationPin;
    }

    /// <summary>Bytes the library reported producing (valid once finished).</summary>
    public int BytesWritten { get; private set; }

    /// <summary>Path the job ran on ("hardware", "software"), valid once finished.</summary>
    public string PathUsed { get; private set; } = "none";

    /// <summary>Null while the job runs; the outcome once it has ended.</summary>
    public DecodeStatus? Poll()
    {
        if (_final is not null) return _final;
        ObjectDisposedException.ThrowIf(_operation == 0, this);
        int rc = _shim.Poll(_operation, out var result);
        if (rc == ShimStatus.Pending) return null;
        return Finish(rc, result);
    }

    /// <summary>Blocks until the job ends; returns its outcome.</summary>
    public DecodeStatus Wait()
    {
        if (_final is not null) return _final.Value;
        ObjectDisposedException.ThrowIf(_operation == 0, this);
        int rc = _shim.Wait(_operation, out var result);
        return Finish(rc, result);
    }

    private DecodeStatus Finish(int rc, in ShimResult result)
    {
        var status = ShimStatus.ToDecodeStatus(rc);
        BytesWritten = status == DecodeStatus.Done ? (int)result.BytesWritten : 0;
        PathUsed = ShimStatus.PathName(result.PathUsed);
        _owner.CountPath(result.PathUsed);
        _final = status;
        return status;
    }

    public void Dispose()
    {
        if (_operation == 0) return;
        _shim.Release(_operation);
        _operation = 0;
        _context.DangerousRelease();
        _sourcePin.Dispose();
        _destinationPin.Dispose();
    }
}
