namespace Erofs.Accel.Fuse;

/// <summary>
/// What a server gives up once its mount is up (<see cref="FuseServerOptions.Sandbox"/>): the identity (a server
/// started as root becomes <see cref="UserId"/>:<see cref="GroupId"/> with no supplementary groups, which clears every
/// capability of every thread), new privileges (no_new_privs), and all but the system calls it uses (seccomp).
/// </summary>
public sealed record SandboxSettings
{
    /// <summary>User the server becomes when it runs as root (default 65534, nobody).</summary>
    public uint UserId { get; init; } = 65534;

    /// <summary>Group the server becomes when it runs as root (default 65534, nogroup).</summary>
    public uint GroupId { get; init; } = 65534;
}
