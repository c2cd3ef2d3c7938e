using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Transport;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Tests.Transport;

/// <summary>A real io_uring: submissions go in, completions come back with their user data, the rings wrap around.</summary>
public sealed unsafe class IoUringTests
{
    internal static IoUring CreateOrSkip(uint entries, bool singleIssuer = true)
    {
        try
        {
            return IoUring.Create(entries, 2 * entries, singleIssuer);
        }
        catch (IoUringException e) when (e.Errno is Errno.ENOSYS or Errno.EPERM)
        {
            Assert.Skip($"io_uring is not available here: {e.Message}");
            throw;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NopsComeBackWithTheirUserDataAcrossManyWrapArounds(bool singleIssuer)
    {
        using var ring = CreateOrSkip(4, singleIssuer);
        Assert.Equal(4u, ring.SubmissionEntries);
        Assert.NotEqual(0u, ring.SetupFlags & Libc.IORING_SETUP_SQE128);
        ulong next = 1;
        var seen = new List<ulong>();
        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.True(ring.TryGetSubmission(out var sqe));
                sqe->Opcode = Libc.IORING_OP_NOP;
                sqe->UserData = next++;
            }
            Assert.Equal(3u, ring.Pending);
            Assert.Equal(Errno.Success, ring.Enter(waitFor: 3));
            Assert.Equal(0u, ring.Pending);
            while (ring.TryTakeCompletion(out var completion))
            {
                Assert.Equal(0, completion.Result);
                seen.Add(completion.UserData);
            }
        }
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (ulong)i), seen);
    }

    [Fact]
    public void AFullSubmissionRingRefusesMoreUntilSubmitted()
    {
        using var ring = CreateOrSkip(2);
        Assert.True(ring.TryGetSubmission(out _));
        Assert.True(ring.TryGetSubmission(out _));
        Assert.False(ring.TryGetSubmission(out _));
        Assert.Equal(Errno.Success, ring.Enter(waitFor: 2));
        Assert.True(ring.TryGetSubmission(out var sqe));
        sqe->Opcode = Libc.IORING_OP_NOP;
    }

    [Fact]
    public void WaitingWithNothingToCompleteTimesOut()
    {
        using var ring = CreateOrSkip(2);
        Assert.Equal(Errno.ETIME, ring.Enter(waitFor: 1, timeoutMilliseconds: 30));
        Assert.False(ring.TryTakeCompletion(out _));
    }

    [Fact]
    public void ASubmissionOnABadDescriptorFailsThatEntryOnly()
    {
        using var ring = CreateOrSkip(4);
        Assert.True(ring.TryGetSubmission(out var bad));
        FuseUringChannel.Encode(ref *bad, -1, fixedFile: false, FuseUringCommand.Register, 7, 0, 0, null);
        Assert.True(ring.TryGetSubmission(out var nop));
        nop->Opcode = Libc.IORING_OP_NOP;
        nop->UserData = 8;
        Assert.Equal(Errno.Success, ring.Enter(waitFor: 2));
        var results = new Dictionary<ulong, int>();
        while (ring.TryTakeCompletion(out var completion)) results[completion.UserData] = completion.Result;
        Assert.Equal(-(int)Errno.EBADF, results[7]);
        Assert.Equal(0, results[8]);
    }

    [Fact]
    public void ARegisteredFileIsNamedByItsIndexEvenAfterItsDescriptorIsClosed()
    {
        using var ring = CreateOrSkip(2);
        var path = Path.GetTempFileName();
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, FileOptions.DeleteOnClose);
        Assert.Equal(Errno.Success, ring.RegisterFiles([(int)file.DangerousGetHandle()]));
        file.Dispose();
        Assert.True(ring.TryGetSubmission(out var sqe));
        FuseUringChannel.Encode(ref *sqe, 0, fixedFile: true, FuseUringCommand.Register, 4, 0, 0, null);
        Assert.Equal(Errno.Success, ring.Enter(waitFor: 1));
        Assert.True(ring.TryTakeCompletion(out var completion));
        // the ring still holds the regular file: the command reaches it (and is refused), not EBADF
        Assert.Equal(-(int)Errno.EOPNOTSUPP, completion.Result);
    }

    [Fact]
    public void ACommandOnAFileWithoutRingCommandsIsRefused()
    {
        using var ring = CreateOrSkip(2);
        var path = Path.GetTempFileName();
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, FileOptions.DeleteOnClose);
        Assert.True(ring.TryGetSubmission(out var sqe));
        FuseUringChannel.Encode(ref *sqe, (int)file.DangerousGetHandle(), fixedFile: false, FuseUringCommand.Register, 3, 0, 0, null);
        Assert.Equal(Errno.Success, ring.Enter(waitFor: 1));
        Assert.True(ring.TryTakeCompletion(out var completion));
        Assert.Equal(3UL, completion.UserData);
        Assert.Equal(-(int)Errno.EOPNOTSUPP, completion.Result);
    }
}
