using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core.Data;

/// <summary>
/// One compressed pcluster ready to decode: the exact stream (zero padding removed) and the parameters that decode it
/// to the extent's bytes. For tools, benchmarks and differential tests of backends.
/// </summary>
public sealed record CompressedPcluster(ErofsInode Inode, Extent Extent, byte[] Source, DecodeParameters Parameters);
