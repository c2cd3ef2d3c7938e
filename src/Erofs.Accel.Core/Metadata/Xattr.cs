namespace Erofs.Accel.Core;

/// <summary>An extended attribute: full name (raw bytes, with its prefix) and value.</summary>
public readonly record struct Xattr(byte[] Name, byte[] Value)
{
    /// <summary>The full name as text (invalid UTF-8 as U+FFFD).</summary>
    public string NameText => System.Text.Encoding.UTF8.GetString(Name);
}
