using System.Buffers.Binary;
using System.Net.Sockets;

namespace Erofs.Accel.Service.Control;

/// <summary>Who is on the other end of a Unix socket, as the kernel recorded it at connect() (SO_PEERCRED).</summary>
public readonly record struct PeerCredentials(int ProcessId, uint UserId, uint GroupId)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>Reads struct ucred { pid, uid, gid } of a connected Unix stream socket.</summary>
    public static PeerCredentials Of(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        int n = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (n < 12) throw new IOException($"SO_PEERCRED returned {n} bytes, expected 12");
        return new PeerCredentials(
            BinaryPrimitives.ReadInt32LittleEndian(ucred),
            BinaryPrimitives.ReadUInt32LittleEndian(ucred[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(ucred[8..]));
    }

    /// <summary>The peer process's supplementary groups (from /proc; empty when it is gone).</summary>
    public IReadOnlyList<uint> SupplementaryGroups()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{ProcessId}/status"))
            {
                if (!line.StartsWith("Groups:", StringComparison.Ordinal)) continue;
                return line["Groups:".Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                    .Select(g => uint.TryParse(g, out var id) ? id : uint.MaxValue).Where(g => g != uint.MaxValue).ToArray();
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return Array.Empty<uint>();
    }

    /// <summary>The pid, uid and gid, for log lines.</summary>
    public override string ToString() => $"pid {ProcessId} uid {UserId} gid {GroupId}";
}
