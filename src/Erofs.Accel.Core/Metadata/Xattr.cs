namespace Erofs.Accel.Core;

/// <summary>An extended attribute: full name (raw bytes, with its prefix) and value.</summary>
public readonly record struct Xattr(byte[] Name, byte[] Value)
{
    public string NameText => System.Text.Encoding.UTF8.GetString(Name);
}
