namespace Erofs.Accel.Format;
internal static class AssemblyMarker { }
