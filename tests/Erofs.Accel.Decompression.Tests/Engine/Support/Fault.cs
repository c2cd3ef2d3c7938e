namespace Erofs.Accel.Decompression.Tests.Engine.Support;

/// <summary>What a <see cref="FaultyBackend"/> does with one request.</summary>
internal enum Fault
{
    /// <summary>Decodes correctly.</summary>
    None,

    /// <summary>Returns BackendFailure.</summary>
    Fail,

    /// <summary>Blocks until released (or a safety limit), then decodes; its answer arrives after the engine's deadline.</summary>
    Hang,

    /// <summary>Decodes, then reports Done with one byte fewer than asked.</summary>
    Short,

    /// <summary>Scribbles random bytes over its output and returns BackendFailure.</summary>
    GarbageFail,

    /// <summary>Scribbles random bytes and reports Done with half the length.</summary>
    GarbageLength,

    /// <summary>Scribbles random bytes and claims the (good) data is corrupt.</summary>
    ClaimCorrupt,

    /// <summary>Throws from Decode.</summary>
    Throw,
}
