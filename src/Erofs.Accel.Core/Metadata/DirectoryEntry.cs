namespace Erofs.Accel.Core;

/// <summary>
/// One entry of a directory listing. <see cref="Name"/> holds raw bytes (not necessarily UTF-8).
/// <see cref="NextCookie"/> resumes a listing right after this entry.
/// </summary>
public readonly record struct DirectoryEntry(byte[] Name, ulong Nid, DirentFileType FileType, long NextCookie)
{
    /// <summary>True for the "." entry.</summary>
    public bool IsDot => Name.Length == 1 && Name[0] == (byte)'.';
    /// <summary>True for the ".." entry.</summary>
    public bool IsDotDot => Name.Length == 2 && Name[0] == (byte)'.' && Name[1] == (byte)'.';
    /// <summary>The name as text (invalid UTF-8 as U+FFFD).</summary>
    public string NameText => System.Text.Encoding.UTF8.GetString(Name);
}
