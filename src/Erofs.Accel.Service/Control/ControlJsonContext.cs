using System.Text.Json.Serialization;

namespace Erofs.Accel.Service.Control;

/// <summary>Source-generated JSON for the control protocol (no reflection; camelCase; absent fields left out).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false,
    MaxDepth = 16)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;

/// <summary>Indented JSON of the same types for people (<c>list --json</c>, <c>stats --json</c>).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(Metrics.ServiceStatistics))]
[JsonSerializable(typeof(List<MountInfo>))]
internal sealed partial class ControlDisplayJsonContext : JsonSerializerContext;
