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
public sealed partial class CliJsonContext : JsonSerializerContext;

/// <summary>Writes one document to stdout.</summary>
public static class CliJson
{
    public static void Write<T>(TextWriter w, T document, JsonTypeInfo<T> type)
    {
        w.WriteLine(JsonSerializer.Serialize(document, type));
    }
}
