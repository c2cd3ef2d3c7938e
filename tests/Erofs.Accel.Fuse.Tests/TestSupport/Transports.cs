namespace Erofs.Accel.Fuse.Tests.TestSupport;

/// <summary>The transports every mount-level test runs over.</summary>
public static class Transports
{
    public static TheoryData<FuseTransport> Both => new() { FuseTransport.Classic, FuseTransport.IoUring };

    /// <summary>The test host's --transport value.</summary>
    public static string ArgumentFor(FuseTransport transport) => transport switch
    {
        FuseTransport.IoUring => "uring",
        FuseTransport.Classic => "classic",
        _ => "auto",
    };
}
