namespace Erofs.Accel.Service.Control;

/// <summary>
/// Who may use the control socket, checked on every request from the peer's credentials (SO_PEERCRED), on top of the
/// socket file's mode. Root and the daemon's own user may do everything. Members of the socket group (when one is
/// configured; the socket is then mode 0660) may only look (hello, list, stats): changing what a root daemon serves
/// (an image path, a mount point) is a root decision. Everyone else is refused.
/// </summary>
public sealed class ControlAccess(uint ownerUserId, uint? groupId)
{
    /// <summary>The daemon's own user id, which may run every verb.</summary>
    public uint OwnerUserId { get; } = ownerUserId;
    /// <summary>The socket group whose members may look (hello, list, stats); null when none is configured.</summary>
    public uint? GroupId { get; } = groupId;

    /// <summary>Null when <paramref name="peer"/> may run <paramref name="op"/>, else the refusal to send.</summary>
    public string? Refusal(PeerCredentials peer, string op)
    {
        if (peer.UserId == 0 || peer.UserId == OwnerUserId) return null;
        bool member = GroupId is { } g && (peer.GroupId == g || peer.SupplementaryGroups().Contains(g));
        if (!member)
            return $"permission denied: uid {peer.UserId} may not use this daemon (root{(OwnerUserId != 0 ? $", uid {OwnerUserId}" : "")}{(GroupId is { } gid ? $" and members of group {gid} (read-only)" : "")} may)";
        if (ControlOperations.Changes(op))
            return $"permission denied: '{op}' needs root (members of the socket group may only use hello, list and stats)";
        return null;
    }
}
