using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Engine.Native;

/// <summary>
/// Finds and loads the native shims (liberofs_accel_qpl.so, liberofs_accel_qat.so) and serves them to the
/// <c>[LibraryImport]</c> declarations through this assembly's DLL import resolver. Search order:
/// extra directories given by the caller, <c>$EROFS_ACCEL_NATIVE_DIR</c> (a ':'-separated list), the application's
/// folder and its <c>native/</c> subfolder, <c>artifacts/native/</c> in the application's folder or any parent
/// (the repository layout), then the system loader (LD_LIBRARY_PATH, ld.so.cache).
/// Other code of this assembly that needs a DLL import resolver must register it through <see cref="Register"/>.
/// </summary>
public static class NativeShimLocator
{
    /// <summary>Environment variable with extra folders (':'-separated) searched first for the shims.</summary>
    public const string DirectoryVariable = "EROFS_ACCEL_NATIVE_DIR";

    private static readonly ConcurrentDictionary<string, nint> Loaded = new(StringComparer.Ordinal);
    private static readonly object ResolverLock = new();
    private static bool _resolverInstalled;

    /// <summary>
    /// Loads <paramref name="libraryName"/> (without "lib" and ".so", e.g. "erofs_accel_qpl") and makes later
    /// <c>[LibraryImport(libraryName)]</c> calls bind to it. Never throws; <paramref name="detail"/> says where it was
    /// found or everything that was tried.
    /// </summary>
    public static bool TryLoad(string libraryName, IEnumerable<string>? extraDirectories, out nint handle, out string detail)
    {
        if (!InstallResolver())
        {
            handle = 0;
            detail = "another DLL import resolver owns this assembly; register it through NativeShimLocator.Register";
            return false;
        }
        if (Loaded.TryGetValue(libraryName, out handle))
        {
            detail = "already loaded";
            return true;
        }
        string fileName = $"lib{libraryName}.so";
        var tried = new List<string>();
        foreach (var directory in CandidateDirectories(extraDirectories))
        {
            string path = Path.Combine(directory, fileName);
            if (!File.Exists(path)) continue;
            if (NativeLibrary.TryLoad(path, out handle))
            {
                handle = Loaded.GetOrAdd(libraryName, handle);
                detail = path;
                return true;
            }
            tried.Add(path + " (exists but does not load: missing dependency?)");
        }
        if (NativeLibrary.TryLoad(fileName, out handle))
        {
            handle = Loaded.GetOrAdd(libraryName, handle);
            detail = fileName + " from the system library path";
            return true;
        }
        tried.Add(fileName + " on the system library path");
        handle = 0;
        detail = $"{fileName} not found (tried {string.Join(", ", tried.Count > 0 ? tried : ["nothing"])}; " +
                 $"build it with cmake from the repository root or set {DirectoryVariable})";
        return false;
    }

    /// <summary>Folders searched before the system loader, in order (existing folders only).</summary>
    public static IReadOnlyList<string> CandidateDirectories(IEnumerable<string>? extraDirectories = null)
    {
        var list = new List<string>();
        void Add(string? dir)
        {
            if (string.IsNullOrWhiteSpace(dir)) return;
            string full = Path.GetFullPath(dir);
            if (Directory.Exists(full) && !list.Contains(full)) list.Add(full);
        }
        if (extraDirectories is not null) foreach (var d in extraDirectories) Add(d);
        var fromEnvironment = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
            foreach (var d in fromEnvironment.Split(':', StringSplitOptions.RemoveEmptyEntries)) Add(d);
        string baseDir = AppContext.BaseDirectory;
        Add(baseDir);
        Add(Path.Combine(baseDir, "native"));
        for (var dir = new DirectoryInfo(baseDir); dir is not null; dir = dir.Parent)
            Add(Path.Combine(dir.FullName, "artifacts", "native"));
        return list;
    }

    /// <summary>
    /// Registers an extra resolver for this assembly's imports (the runtime allows one per assembly, which this class
    /// owns). The first resolver that returns a non-zero handle wins.
    /// </summary>
    public static void Register(Func<string, nint> resolver)
    {
        InstallResolver();
        lock (ResolverLock) ExtraResolvers.Add(resolver);
    }

    private static readonly List<Func<string, nint>> ExtraResolvers = new();

    private static bool InstallResolver()
    {
        lock (ResolverLock)
        {
            if (_resolverInstalled) return true;
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(NativeShimLocator).Assembly, Resolve);
                _resolverInstalled = true;
            }
            catch (InvalidOperationException)
            {
                // Someone else installed a resolver for this assembly: the shims cannot be bound by path.
            }
            return _resolverInstalled;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (Loaded.TryGetValue(libraryName, out var handle)) return handle;
        Func<string, nint>[] extras;
        lock (ResolverLock) extras = ExtraResolvers.ToArray();
        foreach (var resolver in extras)
        {
            var h = resolver(libraryName);
            if (h != 0) return h;
        }
        return 0;
    }
}
