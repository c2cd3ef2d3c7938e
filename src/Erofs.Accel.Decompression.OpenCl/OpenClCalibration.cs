namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// What start-up calibration measured for one algorithm: the fixed cost of a submission, the marginal cost per
/// decoded byte on the device and in single-thread software, and the batch size from which OpenCL is faster.
/// </summary>
public sealed record OpenClCalibration(
    CompressionAlgorithm Algorithm,
    double FixedCostMicroseconds,
    double OpenClNanosecondsPerByte,
    double SoftwareNanosecondsPerByte,
    int ItemBytes,
    int BreakEvenBatchSize)
{
    /// <summary>Device throughput for large batches (decoded GB/s).</summary>
    public double OpenClGigabytesPerSecond => OpenClNanosecondsPerByte > 0 ? 1 / OpenClNanosecondsPerByte : double.PositiveInfinity;

    /// <summary>Single-thread software throughput (decoded GB/s).</summary>
    public double SoftwareGigabytesPerSecond => SoftwareNanosecondsPerByte > 0 ? 1 / SoftwareNanosecondsPerByte : double.PositiveInfinity;

    /// <summary>
    /// Smallest batch where fixed + n·b·device ≤ n·b·software (b = item bytes); int.MaxValue when the device never
    /// catches up. Never below 2: single reads stay on software.
    /// </summary>
    public static int BreakEven(double fixedNs, double deviceNsPerByte, double softwareNsPerByte, int itemBytes)
    {
        double gainPerItem = (softwareNsPerByte - deviceNsPerByte) * itemBytes;
        if (gainPerItem <= 0) return int.MaxValue;
        double n = Math.Ceiling(fixedNs / gainPerItem);
        return n >= int.MaxValue ? int.MaxValue : Math.Max(2, (int)n);
    }

    public override string ToString() =>
        $"{Algorithm}: fixed {FixedCostMicroseconds:0} us, device {OpenClGigabytesPerSecond:0.00} GB/s, software {SoftwareGigabytesPerSecond:0.00} GB/s, " +
        $"break-even {(BreakEvenBatchSize == int.MaxValue ? "never" : BreakEvenBatchSize.ToString())} items of {ItemBytes >> 10} KiB";
}
