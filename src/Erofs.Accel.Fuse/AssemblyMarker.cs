namespace Erofs.Accel.Fuse;
internal static class AssemblyMarker { }
