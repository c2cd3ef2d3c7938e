namespace Erofs.Accel.Core.Storage;

/// <summary>One thing wrong with the devices an image was opened with.</summary>
/// <param name="Device">The extra device (1-based, = device-table slot + 1) it concerns.</param>
/// <param name="Fatal">True when reads of files on that device will fail; false for a warning.</param>
/// <param name="Message">One line naming the slot, what it expects and what to pass.</param>
public sealed record DeviceProblem(int Device, bool Fatal, string Message);

/// <summary>
/// Checks, before an image is served, that every device its device table names was given and is large enough: a
/// mount that cannot read its data must not report success. The device table holds each device's size in blocks
/// and a tag (a blob id or digest, often empty); it has no UUID, so the size is what can be checked, as the kernel
/// checks nothing more when it opens -o device= paths. A device larger than its slot is only warned about (a block
/// device or a padded file may be), one smaller is fatal.
/// </summary>
public static class DeviceCheck
{
    /// <summary>Every missing, short or oversized extra device of <paramref name="image"/>; empty when all are right.</summary>
    public static IReadOnlyList<DeviceProblem> Find(ErofsImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var devices = image.Devices;
        var problems = new List<DeviceProblem>();
        long blockSize = 1L << devices.BlockSizeBits;
        int given = Enumerable.Range(1, devices.Slots.Count).Count(id => devices.ExtraDevice(id) is not null);
        for (int id = 1; id <= devices.Slots.Count; id++)
        {
            var slot = devices.Slots[id - 1];
            long expected = checked((long)slot.Blocks * blockSize);
            var what = $"device {id} (device-table slot {id - 1}: {slot.Blocks} blocks of {blockSize} bytes{Tag(slot)})";
            var source = devices.ExtraDevice(id);
            if (source is null)
            {
                problems.Add(new DeviceProblem(id, true,
                    $"the image keeps file data on {devices.Slots.Count} extra device(s) and {Count(given)} given: {what} is missing; " +
                    "pass each with --device FILE (mount: -o device=FILE), in device-table order"));
                continue;
            }
            long blocks = (source.Length + blockSize - 1) / blockSize;
            if (blocks < (long)slot.Blocks)
            {
                problems.Add(new DeviceProblem(id, true,
                    $"{what}: {source.Description} holds only {source.Length} bytes, {expected} expected: wrong file, wrong order or truncated (devices go in device-table order)"));
            }
            else if (blocks > (long)slot.Blocks)
            {
                problems.Add(new DeviceProblem(id, false,
                    $"{what}: {source.Description} holds {source.Length} bytes, more than the {expected} expected: is it the right file?"));
            }
        }
        return problems;
    }

    private static string Count(int given) => given == 0 ? "none was" : given == 1 ? "1 was" : $"{given} were";

    private static string Tag(DeviceSlot slot) => slot.TagText.Length == 0 ? "" : $", tag {slot.TagText}";
}
