using System.Diagnostics;
using System.Globalization;
using System.Text;
using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Transport;

/// <summary>
/// Mounts without privileges through the setuid helper fusermount3: it mounts, then passes the /dev/fuse descriptor
/// back over a socket named by <c>_FUSE_COMMFD</c>. With auto_unmount the helper stays alive and unmounts when our end
/// of that socket closes, so our end is kept open (close-on-exec) for the life of the mount.
/// </summary>
internal static unsafe class FusermountMounter
{
    public const string ProgramName = "fusermount3";
    private const int ReceiveTimeoutMilliseconds = 15_000;

    /// <summary>The mounted device plus what keeps auto_unmount armed.</summary>
    public sealed record Result(FuseDevice Device, FileDescriptorHandle ControlSocket, Process Helper);

    public static string? FindProgram()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
                     .Concat(["/usr/bin", "/bin", "/usr/local/bin"]))
        {
            var candidate = Path.Combine(dir, ProgramName);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static Result Mount(MountParameters parameters)
    {
        var program = FindProgram() ?? throw new FuseMountException($"{ProgramName} not found; install the fuse3 package or run as root");
        var pair = stackalloc int[2];
        if (Libc.SocketPair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, pair) != 0)
        {
            var error = Libc.LastError;
            throw new FuseMountException($"socketpair failed: {Libc.Describe(error)}", error);
        }
        var ours = new FileDescriptorHandle(pair[0]);
        var theirs = new FileDescriptorHandle(pair[1]);
        Process? helper = null;
        try
        {
            // the helper's end must survive exec; ours must not leak into any child
            if (Libc.Fcntl(theirs.Descriptor, Libc.F_SETFD, 0) != 0)
                throw new FuseMountException($"fcntl failed: {Libc.Describe(Libc.LastError)}");

            var stderr = new StringBuilder();
            var start = new ProcessStartInfo(program)
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                RedirectStandardInput = false,
            };
            start.ArgumentList.Add("-o");
            start.ArgumentList.Add(parameters.FusermountOptions());
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(parameters.MountPoint);
            start.Environment["_FUSE_COMMFD"] = theirs.Descriptor.ToString(CultureInfo.InvariantCulture);
            helper = new Process { StartInfo = start };
            helper.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (stderr) stderr.AppendLine(e.Data);
            };
            helper.OutputDataReceived += (_, _) => { };
            helper.Start();
            helper.BeginErrorReadLine();
            helper.BeginOutputReadLine();
            theirs.Dispose();

            var fd = ReceiveDescriptor(ours.Descriptor, ReceiveTimeoutMilliseconds, out var receiveError);
            if (fd < 0)
            {
                // the parameterless wait also drains the redirected stderr
                if (helper.WaitForExit(5000)) helper.WaitForExit();
                string text;
                lock (stderr) text = stderr.ToString().Trim().Replace('\n', ' ');
                if (text.Length == 0) text = receiveError;
                throw new FuseMountException($"{ProgramName} failed to mount {parameters.MountPoint}: {text}");
            }
            return new Result(new FuseDevice(new FileDescriptorHandle(fd)), ours, helper);
        }
        catch
        {
            theirs.Dispose();
            ours.Dispose();
            if (helper is not null)
            {
                try
                {
                    if (!helper.HasExited) helper.Kill();
                }
                catch (InvalidOperationException)
                {
                }
                helper.Dispose();
            }
            throw;
        }
    }

    /// <summary>Waits for one SCM_RIGHTS message and returns the descriptor it carries, or -1 with a reason.</summary>
    internal static int ReceiveDescriptor(int socket, int timeoutMilliseconds, out string failure)
    {
        var poll = new Libc.PollDescriptor { Descriptor = socket, Events = Libc.POLLIN };
        int ready;
        do
        {
            ready = Libc.Poll(&poll, 1, timeoutMilliseconds);
        }
        while (ready < 0 && Libc.LastError == Errno.EINTR);
        if (ready == 0)
        {
            failure = "timed out waiting for the device descriptor";
            return -1;
        }

        byte payload = 0;
        var vector = new IoVector { Base = &payload, Length = 1 };
        const int controlSize = 64;
        var control = stackalloc byte[controlSize];
        new Span<byte>(control, controlSize).Clear();
        var message = new Libc.MessageHeader
        {
            IoVectors = &vector,
            IoVectorCount = 1,
            Control = control,
            ControlLength = controlSize,
        };
        nint received;
        do
        {
            received = Libc.ReceiveMessage(socket, &message, Libc.MSG_CMSG_CLOEXEC);
        }
        while (received < 0 && Libc.LastError == Errno.EINTR);
        if (received <= 0)
        {
            failure = received == 0 ? "the helper exited without passing a descriptor" : $"recvmsg failed: {Libc.Describe(Libc.LastError)}";
            return -1;
        }

        var header = (Libc.ControlMessageHeader*)control;
        var headerSize = sizeof(Libc.ControlMessageHeader);
        if (message.ControlLength < (nuint)headerSize || header->Level != Libc.SOL_SOCKET || header->Type != Libc.SCM_RIGHTS
            || header->Length < (nuint)(headerSize + sizeof(int)))
        {
            failure = "the helper's message carried no descriptor";
            return -1;
        }
        failure = "";
        return *(int*)(control + headerSize);
    }
}
