using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Erofs.Accel.Cli.Json;

/// <summary>Source-generated serialization of the --json documents (no reflection, trimming-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(InfoDocument))]
[JsonSerializable(typeof(ListingDocument))]
[JsonSerializable(typeof(StatDocument))]
[JsonSerializable(typeof(BackendsDocument))]
[JsonSerializable(typeof(VerifyDocument))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

/// <summary>Writes the documents: indented, with text escaped only where JSON requires it (this output is not HTML).</summary>
internal static class CliJson
{
    /// <summary>The context every command serializes with.</summary>
    public static CliJsonContext Context { get; } =
        new(new JsonSerializerOptions(CliJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public static void Write<T>(TextWriter w, T document, JsonTypeInfo<T> type)
    {
        w.WriteLine(JsonSerializer.Serialize(document, type));
    }

    /// <summary>An enum value as the documents name it ("FlatInline" is "flat_inline").</summary>
    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
