using System.Runtime.CompilerServices;

namespace Erofs.Accel.Decompression.Tests.Engine.Support;

/// <summary>Locations inside the source tree (for the native shims built by the top-level CMakeLists.txt).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>artifacts/native of the repository: where cmake writes liberofs_accel_*.so.</summary>
    public static string NativeDirectory => Path.Combine(Root, "artifacts", "native");

    private static string FindRoot([CallerFilePath] string file = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(file)!); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CMakeLists.txt")) && Directory.Exists(Path.Combine(dir.FullName, "interop")))
                return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }
}
