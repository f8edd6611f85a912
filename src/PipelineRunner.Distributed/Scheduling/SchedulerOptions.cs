using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>Options of a scheduler server.</summary>
public sealed class SchedulerOptions
{
    /// <summary>The default <see cref="MaxStoreMemoryBytes"/> when the memory available to the process is unknown: 4 GiB.</summary>
    public const long FallbackMaxStoreMemoryBytes = 4L * 1024 * 1024 * 1024;

    private long _maxStoreMemoryBytes = DefaultMaxStoreMemoryBytes();

    /// <summary>The address to listen on. Default <c>127.0.0.1</c> (loopback only); use <c>0.0.0.0</c> to accept remote workers.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The port; 0 (the default) picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The port of the dashboard: an HTTP/1.1 endpoint (with TLS when <see cref="Certificate"/> is set) serving the
    /// live dashboard's pages, its event stream and JSON under <c>/</c>, and the health endpoints for HTTP probes
    /// (<c>/healthz/live</c>, <c>/healthz/ready</c>). It binds on <see cref="Host"/> and, when the scheduler has an
    /// <see cref="AccessToken"/>, shows nothing without it. Null (the default for <see cref="SchedulerServer"/> and the
    /// local pool) for none; 0 for a free one; the <c>scheduler</c> command's default is <see cref="DefaultDashboardPort"/>.
    /// The gRPC port speaks HTTP/2 only.
    /// </summary>
    public int? DashboardPort { get; set; }

    /// <summary>The <c>scheduler</c> command's dashboard port unless told otherwise: 8787, as Dask's.</summary>
    public const int DefaultDashboardPort = 8787;

    /// <summary>The port of the store's bulk endpoint (raw TCP for large values); 0 (the default) picks a free one.</summary>
    public int BulkPort { get; set; }

    /// <summary>
    /// The address (<c>host:port</c>) drivers and workers dial for the bulk endpoint, when it differs from the
    /// scheduler's host and <see cref="BulkPort"/> (behind NAT, a port mapping or an ingress); null (the default) for
    /// those. Clients that cannot reach it move values over the gRPC streams instead, more slowly. Clients speak TLS
    /// to it when the scheduler has a <see cref="Certificate"/>; <c>tls://host:port</c> or <c>tcp://host:port</c> says
    /// otherwise, e.g. <c>tls://</c> for an ingress that terminates TLS in front of a plain bulk port. Clients that reach
    /// the scheduler over https never accept a plain bulk endpoint: they move values over the gRPC streams instead.
    /// </summary>
    public string? BulkAdvertisedAddress { get; set; }

    /// <summary>The largest dataset value the store accepts, in bytes. Default 2,000,000,000 (just under 2 GB).</summary>
    public long MaxDatasetBytes { get; set; } = 2_000_000_000;

    /// <summary>
    /// How long a worker may send nothing (workers send a heartbeat every <c>WorkerOptions.HeartbeatInterval</c>)
    /// before the scheduler declares it dead, ends its stream and puts its running nodes back in the queue. A killed
    /// worker's closed connection is noticed at once; this bounds the time to notice a frozen or cut-off one. Default 10 s.
    /// </summary>
    public TimeSpan WorkerTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many workers may die while running the same node before the node is failed as poisonous instead of being
    /// run again (Dask's <c>allowed-failures</c>; not to be confused with node retries, which re-run a node whose code
    /// threw a transient exception). Default 3.
    /// </summary>
    public int AllowedWorkerDeaths { get; set; } = 3;

    /// <summary>
    /// When a driver goes away mid-run (its process died or its connection broke), the scheduler cancels the run's
    /// queued and running nodes at once and, after this lease, releases the store datasets the run's nodes read or
    /// wrote, unless another run uses them. Default 30 s.
    /// </summary>
    public TimeSpan DriverLeaseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The scheduler's clock: worker timeouts, driver leases and the times of node state changes. Internal (tests use a
    /// fake clock); default <see cref="TimeProvider.System"/>.
    /// </summary>
    internal TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// A shared secret every call must carry (<c>authorization: Bearer TOKEN</c>, and the bulk endpoint's first
    /// request); calls without it get <c>Unauthenticated</c> and change nothing. None by default: set one whenever the
    /// scheduler listens beyond loopback.
    /// </summary>
    public string? AccessToken { get; set; }

    /// <summary>
    /// The server certificate (with its private key) for TLS on the RPCs and the bulk endpoint; the scheduler's address
    /// becomes <c>https://</c>. None (plain HTTP/2) by default.
    /// </summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Whether drivers and workers must present a client certificate (with TLS only). Default: none asked for.</summary>
    public ClientCertificateMode ClientCertificateMode { get; set; } = ClientCertificateMode.NoCertificate;

    /// <summary>
    /// Certificates trusted for client certificates: an issuing authority or the certificates themselves. When empty,
    /// the operating system's trust store decides.
    /// </summary>
    public X509Certificate2Collection TrustedClientCertificates { get; } = [];

    /// <summary>The largest gRPC message accepted or sent, in bytes (values move in 1 MB chunks). Default 4 MB.</summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The most nodes one run may submit. Default 1,000,000.</summary>
    public int MaxNodesPerRun { get; set; } = 1_000_000;

    /// <summary>
    /// How many bytes of dataset values the store keeps in memory. Beyond it, the least recently used values that no
    /// request is reading are written to <see cref="SpillDirectory"/> and read back when requested (as Dask workers
    /// spill), so a run whose intermediates exceed memory completes. Default: half of the memory available to the
    /// process (<see cref="GC.GetGCMemoryInfo()"/>'s <see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>, which honours
    /// container limits), or <see cref="FallbackMaxStoreMemoryBytes"/> when that is unknown.
    /// </summary>
    /// <remarks>
    /// The limit is soft in three ways: a value being published or read stays in memory while it is (so a single value
    /// larger than the limit is accepted, and spilled once no one reads it), values are spilled after a publish
    /// completes rather than before, and released buffers kept a short while for reuse are not counted.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value set is zero or negative.</exception>
    public long MaxStoreMemoryBytes
    {
        get => _maxStoreMemoryBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxStoreMemoryBytes = value;
        }
    }

    /// <summary>
    /// The folder spilled values are written to; created on the first spill. Default null: a fresh folder
    /// <c>pipelinerunner-spill-&lt;process id&gt;-&lt;random&gt;</c> under <see cref="Path.GetTempPath"/>. The store
    /// deletes each spill file when its value is released or replaced, and all of them when the scheduler stops, along
    /// with the folder if the store created it.
    /// </summary>
    public string? SpillDirectory { get; set; }

    private static long DefaultMaxStoreMemoryBytes()
    {
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return available > 0 ? Math.Max(available / 2, 64L * 1024 * 1024) : FallbackMaxStoreMemoryBytes;
    }
}
