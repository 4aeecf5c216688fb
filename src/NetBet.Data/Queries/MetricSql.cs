namespace NetBet.Data.Queries;

/// <summary>SQL fragments shared by several query classes, kept as constants so the statements stay constants.</summary>
internal static class MetricSql
{
    /// <summary>The 40 metric columns of <c>market_derived_metrics</c> (alias <c>d</c>), in canonical order.</summary>
    public const string Columns = """
        d.home_risk, d.home_best_back, d.home_best_lay, d.home_best_back_size_l1, d.home_best_lay_size_l1, d.home_spread,
        d.home_impedance, d.home_impedance_norm, d.home_back_stake, d.home_back_odds, d.home_lay_stake, d.home_lay_odds,
        d.home_book_risk_l3,
        d.away_risk, d.away_best_back, d.away_best_lay, d.away_best_back_size_l1, d.away_best_lay_size_l1, d.away_spread,
        d.away_impedance, d.away_impedance_norm, d.away_back_stake, d.away_back_odds, d.away_lay_stake, d.away_lay_odds,
        d.away_book_risk_l3,
        d.draw_risk, d.draw_best_back, d.draw_best_lay, d.draw_best_back_size_l1, d.draw_best_lay_size_l1, d.draw_spread,
        d.draw_impedance, d.draw_impedance_norm, d.draw_back_stake, d.draw_back_odds, d.draw_lay_stake, d.draw_lay_odds,
        d.draw_book_risk_l3,
        d.total_volume
        """;

    /// <summary>
    /// The league key of a <c>market_event_metadata</c> row (alias <c>m</c>): the competition id when present, else a
    /// slug of the competition name, else <c>unknown</c>. API routes carry this key, so it must stay stable.
    /// </summary>
    public const string LeagueKey = """
        case
          when nullif(btrim(m.competition_id), '') is not null then btrim(m.competition_id)
          else coalesce(nullif(btrim(regexp_replace(lower(coalesce(m.competition_name, '')), '[^a-z0-9]+', '-', 'g'), '-'), ''), 'unknown')
        end
        """;

    /// <summary>The display name of a row's competition; markets without one share the "Unknown competition" group.</summary>
    public const string CompetitionName = "coalesce(nullif(btrim(m.competition_name), ''), 'Unknown competition')";

    /// <summary>The newest snapshot of market <c>m</c>, using the (market_id, snapshot_at) unique index backwards.</summary>
    public const string LatestSnapshotLateral = """
        left join lateral (
          select s.inplay, s.status, s.snapshot_at
          from market_book_snapshots s
          where s.market_id = m.market_id
          order by s.snapshot_at desc
          limit 1
        ) ls on true
        """;
}
