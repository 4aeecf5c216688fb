namespace NetBet.Ingest.Polling;

/// <summary>What one poll tick did.</summary>
/// <param name="At">The tick's snapshot time (the poller clock when the tick started).</param>
/// <param name="MarketsListed">Markets the catalogue listed.</param>
/// <param name="MarketsPolled">3-runner markets with roles mapped, whose books were asked for.</param>
/// <param name="SnapshotsInserted">New snapshot rows.</param>
/// <param name="Duplicates">Snapshots already stored for (market, time).</param>
/// <param name="DerivedRows">Derived rows stored.</param>
/// <param name="Skipped">Markets or books not stored, by reason.</param>
/// <param name="NoDerivedRow">Snapshots stored without a derived row, by the engine's reason.</param>
public sealed record PollTickSummary(
    DateTimeOffset At,
    int MarketsListed,
    int MarketsPolled,
    int SnapshotsInserted,
    int Duplicates,
    int DerivedRows,
    IReadOnlyDictionary<string, int> Skipped,
    IReadOnlyDictionary<string, int> NoDerivedRow)
{
    /// <summary>Markets whose listMarketBook request failed after its retries: not stored for this tick.</summary>
    public IReadOnlyList<string> FailedMarkets { get; init; } = [];

    /// <summary>The database could not take the tick; its snapshots wait in the spool for the next tick's replay.</summary>
    public bool Spooled { get; init; }
}

/// <summary>
/// The value stored under <see cref="Key"/> in <c>service_state</c> after each successful tick, read by
/// <c>netbet status</c> and the web health endpoint.
/// </summary>
/// <param name="At">Snapshot time of the tick.</param>
/// <param name="Markets">Markets polled.</param>
/// <param name="Snapshots">Snapshots inserted.</param>
public sealed record PollTickState(DateTimeOffset At, int Markets, int Snapshots)
{
    /// <summary>The <c>service_state</c> key.</summary>
    public const string Key = NetBet.Data.State.ServiceState.PollerLastTickKey;
}
