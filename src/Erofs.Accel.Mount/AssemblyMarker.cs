namespace Erofs.Accel.Mount;
internal static class AssemblyMarker { }
