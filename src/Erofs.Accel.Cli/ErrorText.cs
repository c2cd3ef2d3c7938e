using Erofs.Accel.Format;

namespace Erofs.Accel.Cli;

/// <summary>Turns expected failures (image, I/O, permission) into one readable line.</summary>
internal static class ErrorText
{
    public static bool TryDescribe(Exception e, out string text)
    {
        switch (e)
        {
            case ErofsException ee:
                text = ee.Message;
                return true;
            case UnauthorizedAccessException:
            case IOException:
                text = e.Message;
                return true;
            case OperationCanceledException:
                text = "cancelled";
                return true;
            default:
                text = "";
                return false;
        }
    }
}
