namespace Erofs.Accel.Fuse.Tests.TestSupport;

/// <summary>Mount tests run one at a time: they share the kernel's FUSE state and the machine has few cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuseMountCollection
{
    public const string Name = "FUSE mounts";
}
