using Erofs.Accel.Fuse.Protocol;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Fuse.Server;

internal sealed partial class RequestDispatcher
{
    private (Errno, DispatchResult) HandleInit(in FuseRequest request, ReplyBuilder reply)
    {
        if (Session is not null)
        {
            _logger.LogWarning("FUSE: second INIT ignored");
            return (Errno.EIO, DispatchResult.Reply);
        }

        // kernels before 7.36 send the 16-byte form; the rest stays zero
        var init = default(FuseInitIn);
        var available = Math.Min(request.Payload.Length, FuseInitIn.Size);
        request.Payload[..available].CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(new Span<FuseInitIn>(ref init)));

        var outcome = InitNegotiation.Negotiate(init, _initSettings, out var answer, out var session);
        switch (outcome)
        {
            case InitOutcome.Unsupported:
                _logger.LogError("FUSE: kernel protocol {Major}.{Minor} is too old (need 7.{Minimum})", init.Major, init.Minor, InitNegotiation.MinimumMinor);
                return (Errno.EPROTO, DispatchResult.Reply);
            case InitOutcome.MajorTooNew:
                reply.Append<FuseInitOut>() = answer;
                return (Errno.Success, DispatchResult.Reply);
        }

        reply.Append<FuseInitOut>() = answer;
        Volatile.Write(ref _session, session);
        _logger.LogInformation(
            "FUSE: session up, protocol {Major}.{Minor}, flags 0x{Flags:x}, max_pages {Pages}",
            answer.Major, answer.Minor, (ulong)session!.Flags, answer.MaxPages);
        return (Errno.Success, DispatchResult.ReplySessionStarted);
    }
}
