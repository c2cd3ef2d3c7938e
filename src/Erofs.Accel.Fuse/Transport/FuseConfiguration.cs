namespace Erofs.Accel.Fuse.Transport;

/// <summary>
/// /etc/fuse.conf as fusermount3 reads it: whether users other than root may ask for allow_other
/// (<c>user_allow_other</c>). Checked before mounting so the refusal names the fix instead of fusermount3's text.
/// </summary>
internal static class FuseConfiguration
{
    public const string DefaultPath = "/etc/fuse.conf";

    public static bool UserAllowOther(string path = DefaultPath)
    {
        try
        {
            foreach (var raw in File.ReadLines(path))
            {
                var line = raw.Trim();
                if (line == "user_allow_other") return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return false;
    }
}
