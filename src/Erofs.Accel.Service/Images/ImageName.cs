using System.Text;

namespace Erofs.Accel.Service.Images;

/// <summary>Names of served images: a folder name of the shared namespace and the handle of detach, umount and stats.</summary>
public static class ImageName
{
    /// <summary>Longest name accepted, in characters.</summary>
    public const int MaxLength = 200;

    /// <summary>Null when <paramref name="name"/> is usable, else why not.</summary>
    public static string? Problem(string name)
    {
        if (string.IsNullOrEmpty(name)) return "an image name must not be empty";
        if (name is "." or "..") return $"'{name}' cannot name an image";
        if (Encoding.UTF8.GetByteCount(name) > MaxLength) return $"an image name may have at most {MaxLength} bytes";
        foreach (var c in name)
        {
            if (c == '/' || char.IsControl(c) || char.IsWhiteSpace(c))
                return $"an image name must not contain '/', spaces or control characters: '{Printable(name)}'";
        }
        return null;
    }

    /// <summary>The default name of an image: its file name without the extension, made valid.</summary>
    public static string FromPath(string imagePath)
    {
        var stem = Path.GetFileNameWithoutExtension(imagePath.TrimEnd('/'));
        var sb = new StringBuilder(stem.Length);
        foreach (var c in stem) sb.Append(c == '/' || char.IsControl(c) || char.IsWhiteSpace(c) ? '_' : c);
        var name = sb.ToString();
        if (Encoding.UTF8.GetByteCount(name) > MaxLength) name = name[..(MaxLength / 4)];
        return Problem(name) is null ? name : "image";
    }

    private static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
