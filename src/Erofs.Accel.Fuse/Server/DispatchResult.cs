namespace Erofs.Accel.Fuse.Server;

/// <summary>What the worker does after the dispatcher has looked at a request.</summary>
internal enum DispatchResult
{
    /// <summary>Nothing to send (FORGET, BATCH_FORGET, INTERRUPT, NOTIFY_REPLY, unreadable message).</summary>
    NoReply,
    /// <summary>Send the reply.</summary>
    Reply,
    /// <summary>Send the reply; INIT was accepted and the session is now up.</summary>
    ReplySessionStarted,
    /// <summary>Send the reply; the kernel said DESTROY.</summary>
    ReplySessionDestroyed,
}
