namespace Erofs.Accel.Core;
internal static class AssemblyMarker { }
