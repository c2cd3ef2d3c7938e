using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Erofs.Accel.Decompression.Engine.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// Long-lived offload engine: routes each pcluster to an accelerator that can take it (by algorithm, parameters,
/// size, partial decoding, health and the <see cref="AccelerationPolicy"/>) and decodes everything else in software.
/// <para>
/// The reader's contract (<see cref="IPclusterDecompressor"/>) is synchronous: requests no accelerator takes are
/// decoded inline on the caller's thread (no queueing, no task, no allocation). Accelerated requests go through a
/// bounded per-backend queue (producers wait when it is full) to dedicated workers while the caller waits; the
/// asynchronous machinery stays inside the engine. Whatever happens there — backend missing, failing, hanging past
/// <see cref="EngineOptions.AcceleratorTimeout"/>, returning a wrong length, claiming corrupt data — the request is
/// decoded again in software, so a caller only ever sees correct bytes or a corrupt-data verdict that software
/// decoding confirmed.
/// </para>
/// <para>
/// Contract of a result: <see cref="DecodeStatus.Done"/> means the destination holds exactly OutputLength correct
/// bytes; <see cref="DecodeStatus.CorruptData"/> means software decoding (not only an accelerator) rejected the
/// stream; <see cref="DecodeStatus.Cancelled"/> means the caller's token fired and the destination content is
/// unspecified (only the internal asynchronous form takes a token); <see cref="DecodeStatus.Unsupported"/> means no
/// software decoder for the algorithm is available.
/// Bad data never throws. Invalid parameters throw <see cref="ArgumentException"/> (as <see cref="SoftwareDecompressor"/>).
/// </para>
/// </summary>
public sealed partial class DecompressionEngine : IPclusterDecompressor, IAsyncDisposable, IDisposable
{
    /// <summary>Name of the <see cref="Meter"/> the engine reports to (dotnet-counters, OpenTelemetry).</summary>
    public const string MeterName = "Erofs.Accel.Decompression";

    /// <summary>Name under which the software decoders appear in statistics.</summary>
    public const string SoftwareName = "software";

    private readonly EngineOptions _options;
    private readonly SoftwareDecompressor _software;
    private readonly bool _ownsSoftware;
    private readonly bool _ownsAccelerators;
    private readonly AcceleratorLane[] _lanes;
    private readonly IDecompressionBackend[] _unused;
    private readonly AcceleratorLane[][] _lanesByAlgorithm;
    private readonly AcceleratorLane[] _batchLanes;
    private readonly BackendCounters _softwareCounters = new();
    private readonly EngineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IDisposable? _nativeLogRoute;
    private long _inFlight;
    private long _softwareAsFallback;
    private long _corruptConfirmed;
    private int _disposed;

    /// <summary>
    /// Creates an engine with the software decoders of <see cref="SoftwareBackends.CreateAll"/> and the accelerators
    /// the policy allows (created through <see cref="AcceleratorCatalog"/>); the engine owns and disposes them all.
    /// An accelerator is created — its library loaded, its device initialised — only when the first request it could
    /// take arrives (or <see cref="DescribeBackends"/> asks), so commands that never decode never touch one.
    /// </summary>
    public static DecompressionEngine Create(EngineOptions? options = null)
    {
        options ??= new EngineOptions();
        var entries = options.Policy.AcceleratorsToCreate.Select(AcceleratorCatalog.Find).OfType<AcceleratorCatalog.Entry>()
            .Select(e => new LaneSpec(e.Name, e.Algorithms, e.TakesBatches, e.Create));
        return new DecompressionEngine(options, entries, [], new SoftwareDecompressor(), ownsBackends: true, startNow: false);
    }

    /// <summary>
    /// Creates an engine over the given accelerators (single-request ones and <see cref="IBatchDecompressionBackend"/>s;
    /// the policy picks among them by <see cref="IDecompressionBackend.Name"/>) and software decoder (default: a new
    /// <see cref="SoftwareDecompressor"/>, owned). With <paramref name="ownsBackends"/> the engine disposes the
    /// accelerators and the software decoder.
    /// </summary>
    public DecompressionEngine(EngineOptions? options, IEnumerable<IDecompressionBackend> accelerators,
        SoftwareDecompressor? software = null, bool ownsBackends = false)
        : this(options, Specs(accelerators.ToArray(), (options ?? new EngineOptions()).Policy, out var unused), unused, software,
            ownsBackends, startNow: true)
    {
    }

    /// <summary>An accelerator the engine may use: what it takes, and how to get it.</summary>
    private sealed record LaneSpec(string Name, IReadOnlyCollection<CompressionAlgorithm> Algorithms, bool TakesBatches,
        Func<IDecompressionBackend> Create);

    private static IEnumerable<LaneSpec> Specs(IDecompressionBackend[] accelerators, AccelerationPolicy policy,
        out IDecompressionBackend[] unused)
    {
        unused = accelerators.Where(a => !policy.Allows(a.Name)).ToArray();
        return OrderByPolicy(accelerators, policy)
            .Select(b => new LaneSpec(b.Name, b.Algorithms, b is IBatchDecompressionBackend, () => b)).ToArray();
    }

    private DecompressionEngine(EngineOptions? options, IEnumerable<LaneSpec> accelerators, IDecompressionBackend[] unused,
        SoftwareDecompressor? software, bool ownsBackends, bool startNow)
    {
        _options = options ?? new EngineOptions();
        if (_options.Validate() is { } problem) throw new ArgumentException($"invalid engine options: {problem}", nameof(options));
        _logger = _options.Logger ?? NullLogger.Instance;
        _nativeLogRoute = _options.Logger is null ? null : NativeLibraryLog.RouteTo(_logger, _options.NativeLogLevel);
        _software = software ?? new SoftwareDecompressor();
        _ownsSoftware = software is null || ownsBackends;
        _ownsAccelerators = ownsBackends;
        _unused = unused;

        var policy = _options.Policy;
        var lanes = new List<AcceleratorLane>();
        var batchLanes = new List<AcceleratorLane>();
        foreach (var spec in accelerators)
        {
            var breaker = new CircuitBreaker(_options.Breaker, _options.TimeProvider, OnBreakerChange(spec.Name));
            var lane = new AcceleratorLane(spec.Name, spec.Algorithms, spec.TakesBatches, policy.Names(spec.Name), spec.Create,
                _options.WorkersPerAccelerator, spec.TakesBatches ? _options.BatchQueueCapacity : _options.QueueCapacity,
                breaker, _options.TimeProvider, _logger, OnLaneStarted);
            (spec.TakesBatches ? batchLanes : lanes).Add(lane);
        }
        _lanes = lanes.ToArray();
        _batchLanes = batchLanes.ToArray();

        var algorithms = Enum.GetValues<CompressionAlgorithm>();
        _lanesByAlgorithm = new AcceleratorLane[algorithms.Max(a => (int)a) + 1][];
        foreach (var algorithm in algorithms)
            _lanesByAlgorithm[(int)algorithm] = _lanes.Where(l => l.Algorithms.Contains(algorithm)).ToArray();

        _metrics = new EngineMetrics(_options.MeterFactory, QueueDepths);
        EngineLog.Started(_logger, policy.ToString(),
            string.Join(", ", _lanes.Select(l => l.Name).Concat(_batchLanes.Select(l => l.Name)).DefaultIfEmpty("none")));
        if (startNow)
        {
            foreach (var lane in _lanes) _ = lane.Backend;
            foreach (var lane in _batchLanes) _ = lane.Backend;
        }
    }

    private void OnLaneStarted(AcceleratorLane lane)
    {
        if (!lane.Backend.Availability.IsAvailable) EngineLog.BackendUnavailable(_logger, lane.Name, lane.Backend.Availability.Detail);
    }

    /// <summary>The lane of a named accelerator (tests and diagnostics), or null.</summary>
    internal AcceleratorLane? Lane(string name) =>
        _lanes.Concat(_batchLanes).FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The policy in force.</summary>
    public AccelerationPolicy Policy => _options.Policy;

    /// <summary>The meter the engine reports to.</summary>
    public Meter Meter => _metrics.Meter;

    /// <summary>
    /// Decodes one pcluster. When no accelerator takes the request it is decoded inline in software; otherwise it is
    /// queued to the first accelerator in policy order that supports it and is healthy, and this call waits for the
    /// outcome (software decodes it again if the accelerator fails, times out or answers wrongly).
    /// </summary>
    public DecompressionResult Decompress(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Validate(parameters, source.Length, destination.Length);
        var lane = Route(parameters, source.Length, out bool isProbe, out var skipped, out var reason);
        if (lane is null) return DecodeInSoftware(source, destination, parameters, skipped, reason, isProbe: false, Stopwatch.GetTimestamp());
        return OffloadAndWait(lane, source, destination, parameters, isProbe);
    }

    /// <summary>
    /// Lends the caller's spans to an accelerator lane as pinned memory and waits for the outcome. Safe because a
    /// lane writes the destination only before it reports completion, never after a timeout (see
    /// <see cref="OffloadWorkItem"/>), and this method returns only once the outcome is known.
    /// </summary>
    private unsafe DecompressionResult OffloadAndWait(AcceleratorLane lane, ReadOnlySpan<byte> source, Span<byte> destination,
        in DecodeParameters parameters, bool isProbe)
    {
        fixed (byte* sourcePointer = source)
        fixed (byte* destinationPointer = destination)
        {
            using var sourceMemory = new PinnedSpanMemory(sourcePointer, source.Length);
            using var destinationMemory = new PinnedSpanMemory(destinationPointer, destination.Length);
            var pending = OffloadAsync(lane, new DecompressionRequest(sourceMemory.Memory, destinationMemory.Memory, parameters), isProbe,
                CancellationToken.None);
            return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Asynchronous form over memory (tests of the lanes, cancellation). Completes synchronously (inline software
    /// decode) when no accelerator takes the request.
    /// </summary>
    internal ValueTask<DecompressionResult> DecompressAsync(DecompressionRequest request, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Validate(request);
        if (cancellationToken.IsCancellationRequested)
            return ValueTask.FromResult(new DecompressionResult(DecodeStatus.Cancelled, 0, SoftwareName));

        var lane = Route(request.Parameters, request.Source.Length, out bool isProbe, out var skipped, out var reason);
        if (lane is not null) return OffloadAsync(lane, request, isProbe, cancellationToken);
        return ValueTask.FromResult(DecodeInSoftware(request.Source.Span, request.Destination.Span, request.Parameters, skipped, reason,
            isProbe: false, Stopwatch.GetTimestamp()));
    }

    /// <summary>
    /// Picks the accelerator for a request, or null for software. When an accelerator that would have taken the
    /// request is skipped (listed but unavailable, or its breaker is open) it is reported in
    /// <paramref name="skipped"/> with the reason, so the software decode counts as its fallback.
    /// </summary>
    private AcceleratorLane? Route(in DecodeParameters parameters, int sourceLength, out bool isProbe, out AcceleratorLane? skipped,
        out FallbackReason reason)
    {
        isProbe = false;
        skipped = null;
        reason = FallbackReason.None;
        foreach (var lane in _lanesByAlgorithm[(int)parameters.Algorithm])
        {
            if (!lane.IsAvailable) // the first request of its algorithm creates the backend
            {
                if (!lane.ExplicitlyRequested) continue;
                // a request the backend would never take is not its fallback
                if (lane.Backend is IAcceleratorBackend a && !a.Accepts(parameters, sourceLength)) continue;
                if (skipped is null)
                {
                    skipped = lane;
                    reason = FallbackReason.BackendUnavailable;
                }
                continue;
            }
            if (!lane.Backend.Supports(parameters, sourceLength)) continue;
            if (!lane.Breaker.TryAcquire(out isProbe))
            {
                if (skipped is null || reason == FallbackReason.BackendUnavailable)
                {
                    skipped = lane;
                    reason = FallbackReason.BackendUnhealthy;
                }
                continue;
            }
            return lane;
        }
        return null;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<DecompressionResult> OffloadAsync(AcceleratorLane lane, DecompressionRequest request, bool isProbe,
        CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _inFlight);
        var item = lane.Rent();
        try
        {
            lane.Counters.Routed();
            item.Add(0, request);
            item.Arm(_options.AcceleratorTimeout, cancellationToken);
            var queued = lane.EnqueueAsync(item, cancellationToken);
            if (!queued.IsCompletedSuccessfully) await queued.ConfigureAwait(false);
            var outcome = await item.AsValueTask().ConfigureAwait(false);
            if (outcome.Kind == OffloadKind.Done) outcome = item.Verdict(0);
            switch (outcome.Kind)
            {
                case OffloadKind.Done:
                    lane.Breaker.OnSuccess(isProbe);
                    int written = request.Parameters.OutputLength;
                    item.Output(0).CopyTo(request.Destination.Span);
                    lane.Counters.Served(request.Source.Length, written);
                    _metrics.Completed(lane.Name, request.Parameters.Algorithm, DecodeStatus.Done, request.Source.Length, written, start);
                    return new DecompressionResult(DecodeStatus.Done, written, lane.Name);
                case OffloadKind.Cancelled:
                    lane.Breaker.OnNeutral(isProbe);
                    lane.Counters.Cancelled();
                    _metrics.Completed(lane.Name, request.Parameters.Algorithm, DecodeStatus.Cancelled, 0, 0, start);
                    return new DecompressionResult(DecodeStatus.Cancelled, 0, lane.Name);
                default:
                    return DecodeInSoftware(request.Source.Span, request.Destination.Span, request.Parameters, lane, outcome.Reason, isProbe, start);
            }
        }
        finally
        {
            item.Release(); // the caller's reference: the bytes are copied (or not wanted)
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>
    /// Software decode, inline or as a fallback for <paramref name="accelerator"/> (null when no accelerator was
    /// involved). Also gives the accelerator's breaker its verdict when the accelerator was tried.
    /// </summary>
    private DecompressionResult DecodeInSoftware(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters,
        AcceleratorLane? accelerator, FallbackReason reason, bool isProbe, long start)
    {
        var result = _software.Decompress(source, destination, parameters);
        CountSoftware(parameters, source.Length, result, start, accelerator is not null);
        if (accelerator is null) return result;

        if (reason is FallbackReason.BackendUnavailable or FallbackReason.BackendUnhealthy) accelerator.Counters.Routed();
        else JudgeAccelerator(accelerator.Breaker, reason, result.Status, isProbe);
        accelerator.Counters.FellBack(reason);
        _metrics.FellBack(accelerator.Name, reason);
        EngineLog.FellBack(_logger, accelerator.Name, reason);
        return result with { Fallback = reason };
    }

    /// <summary>Tells a breaker what an accelerator's failed attempt means once software has decoded the request.</summary>
    private static void JudgeAccelerator(CircuitBreaker breaker, FallbackReason reason, DecodeStatus softwareStatus, bool isProbe)
    {
        switch (reason)
        {
            case FallbackReason.CorruptReportedByBackend or FallbackReason.WrongLength when softwareStatus == DecodeStatus.CorruptData:
                breaker.OnSuccess(isProbe); // the accelerator was right: the stream is broken (a short one decodes short)
                break;
            case FallbackReason.CorruptReportedByBackend:
                breaker.OnFailure(isProbe, "reported corrupt data that software decoded");
                break;
            case FallbackReason.Unsupported:
                breaker.OnNeutral(isProbe);
                break;
            default:
                breaker.OnFailure(isProbe, reason.ToString());
                break;
        }
    }

    private void CountSoftware(in DecodeParameters parameters, int sourceLength, in DecompressionResult result, long start, bool asFallback)
    {
        _softwareCounters.Routed();
        if (result.Status == DecodeStatus.Done)
        {
            _softwareCounters.Served(sourceLength, result.BytesWritten);
            if (asFallback) Interlocked.Increment(ref _softwareAsFallback);
        }
        else if (result.Status == DecodeStatus.CorruptData)
        {
            Interlocked.Increment(ref _corruptConfirmed);
        }
        _metrics.Completed(result.Backend, parameters.Algorithm, result.Status, sourceLength, result.BytesWritten, start);
    }

    private static void Validate(in DecompressionRequest request) =>
        Validate(request.Parameters, request.Source.Length, request.Destination.Length);

    private static void Validate(in DecodeParameters parameters, int sourceLength, int destinationLength)
    {
        if (!parameters.IsValidFor(sourceLength, destinationLength, out var problem))
            throw new ArgumentException($"invalid decode parameters: {problem}", nameof(parameters));
    }

    /// <summary>Every backend the engine knows (accelerators in policy order, then the software decoders).</summary>
    public IReadOnlyList<BackendDescription> DescribeBackends()
    {
        var list = new List<BackendDescription>();
        foreach (var lane in _lanes)
            list.Add(Describe(lane.Backend, BackendRole.Accelerator, lane.Availability, lane.Breaker.State));
        foreach (var lane in _batchLanes)
            list.Add(Describe(lane.Backend, BackendRole.Batch, lane.Availability, lane.Breaker.State));
        foreach (var backend in _unused)
            list.Add(Describe(backend, backend is IBatchDecompressionBackend ? BackendRole.Batch : BackendRole.Accelerator,
                backend.Availability, BreakerState.Closed));
        foreach (var name in _options.Policy.Accelerators)
        {
            if (_lanes.Concat(_batchLanes).Any(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase))
                || _unused.Any(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))) continue;
            list.Add(new BackendDescription(name, BackendRole.Accelerator, false, "not a backend this engine was given", [],
                "nothing", null, true, BreakerState.Closed));
        }
        foreach (var backend in _software.Backends)
            list.Add(Describe(backend, BackendRole.Software, backend.Availability, BreakerState.Closed));
        return list;
    }

    private BackendDescription Describe(IDecompressionBackend backend, BackendRole role, BackendAvailability availability, BreakerState breaker) =>
        new(backend.Name, role, availability.IsAvailable, availability.Detail, backend.Algorithms,
            AcceleratorCatalog.DescribeCapabilities(backend), (backend as IAcceleratorBackend)?.PathInUse,
            role == BackendRole.Software || _options.Policy.Allows(backend.Name), breaker);

    /// <summary>Counters since start: per accelerator, then "software".</summary>
    public EngineStatistics GetStatistics()
    {
        var backends = new List<BackendStatistics>();
        foreach (var lane in _lanes)
            backends.Add(lane.Counters.Snapshot(lane.Name, BackendRole.Accelerator, lane.Breaker.State, lane.Breaker.Trips));
        foreach (var lane in _batchLanes)
            backends.Add(lane.Counters.Snapshot(lane.Name, BackendRole.Batch, lane.Breaker.State, lane.Breaker.Trips));
        backends.Add(_softwareCounters.Snapshot(SoftwareName, BackendRole.Software, BreakerState.Closed, 0));
        long buffers = _lanes.Sum(l => l.BuffersOutstanding) + _batchLanes.Sum(l => l.BuffersOutstanding);
        return new EngineStatistics(backends, Interlocked.Read(ref _softwareAsFallback), Interlocked.Read(ref _corruptConfirmed),
            Interlocked.Read(ref _inFlight), buffers);
    }

    /// <summary>Current breaker state of an accelerator (Closed for unknown names).</summary>
    public BreakerState GetBreakerState(string backendName) =>
        _lanes.FirstOrDefault(l => l.Name == backendName)?.Breaker.State
        ?? _batchLanes.FirstOrDefault(l => l.Name == backendName)?.Breaker.State
        ?? BreakerState.Closed;

    private IEnumerable<Measurement<long>> QueueDepths()
    {
        foreach (var lane in _lanes)
            yield return new Measurement<long>(lane.QueueDepth, new KeyValuePair<string, object?>("backend", lane.Name));
        foreach (var lane in _batchLanes)
            yield return new Measurement<long>(lane.QueueDepth, new KeyValuePair<string, object?>("backend", lane.Name));
    }

    private Action<BreakerState, string> OnBreakerChange(string backend) => (state, why) =>
    {
        EngineLog.BreakerChanged(_logger, backend, state, why);
        _metrics?.BreakerChanged(backend, state);
    };

    private static IEnumerable<IDecompressionBackend> OrderByPolicy(IReadOnlyList<IDecompressionBackend> accelerators, AccelerationPolicy policy)
    {
        if (policy.Mode == AccelerationMode.Software) return [];
        if (policy.Mode == AccelerationMode.Auto) return accelerators;
        return policy.Accelerators
            .Select(name => accelerators.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)))
            .OfType<IDecompressionBackend>();
    }

    /// <summary>
    /// Stops the workers (waiting up to <see cref="EngineOptions.ShutdownTimeout"/> for queued work) and disposes
    /// owned backends. A backend whose workers are still stuck inside it is left undisposed (it may still be using
    /// native memory).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        var stuck = new HashSet<IDecompressionBackend>(ReferenceEqualityComparer.Instance);
        foreach (var lane in _lanes.Concat(_batchLanes))
        {
            if (await lane.StopAsync(_options.ShutdownTimeout).ConfigureAwait(false))
            {
                lane.DrainPool();
                continue;
            }
            stuck.Add(lane.Backend);
            lane.Breaker.Disable("engine shut down while workers were busy");
            EngineLog.WorkersStuck(_logger, lane.Name, lane.BusyDrivers);
        }
        if (_ownsAccelerators)
        {
            // only the accelerators that were created: the others never were
            foreach (var backend in _lanes.Concat(_batchLanes).Where(l => l.IsStarted).Select(l => l.Backend).Concat(_unused))
                if (!stuck.Contains(backend)) (backend as IDisposable)?.Dispose();
        }
        _nativeLogRoute?.Dispose();
        if (_ownsSoftware) _software.Dispose();
        _metrics.Dispose();
    }

    /// <summary>Stops the lanes, waits for decodes in flight and releases the backends (blocking form of DisposeAsync).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
