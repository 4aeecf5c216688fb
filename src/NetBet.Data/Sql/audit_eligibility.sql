-- Audit sections C, D and E in one pass over the derived rows that have at least one NULL metric column.
-- Each such row gets the reason a backfill would skip it, checked in the engine's order (METRICS.md section 6),
-- or NULL when the engine would compute it. The per-column NULL counts and the "any NULL" condition are spliced
-- in from the metric columns that exist in the schema. The reason texts arrive as parameters from SkipReason (Core)
-- and Auditor.UnreadablePayload, so the audit and the backfill speak one vocabulary. @from .. @to (NULL for an open
-- end) limit it to those months' partitions.
--
-- The unreadable-payload reason mirrors the MarketBookReader's main checks (jsonb is valid JSON already) in three jsonpath
-- traversals: a marketId or runners of the wrong JSON type, runner entries that are not objects, selection ids
-- that are not integers, ex or ladder sides of the wrong type, levels that are strings or booleans, object levels
-- without price or size or with a Price/Size key in another letter case, prices and sizes that are not numbers, or beyond 1e15. Not checked, to keep the audit one
-- cheap pass: the types of status, inplay and totalMatched, and the elements of [price, size] array levels (lax
-- jsonpath unwraps them in filters). The backfill reads every payload with the reader itself, so its error count
-- is the authority.
select
  r.reason,
  count(*) as rows{null_counts}
from market_derived_metrics d
join market_book_snapshots s on s.market_id = d.market_id and s.snapshot_at = d.snapshot_at
left join market_event_metadata m on m.market_id = s.market_id
cross join lateral (
  select case
    when s.raw_payload is null then @no_raw_payload
    when jsonb_typeof(s.raw_payload) <> 'object' then @unreadable_payload
    when jsonb_typeof(s.raw_payload -> 'marketId') not in ('string', 'null')
      or jsonb_typeof(s.raw_payload -> 'runners') not in ('array', 'null') then @unreadable_payload
    when jsonb_path_exists(s.raw_payload, '
      $ ? (
           exists($.runners[*] ? (
                (@.type() != "object" && @.type() != "null")
             || exists(@.selectionId ? (@.type() == "boolean" || @.type() == "object" || (@.type() == "number" && @.floor() != @)))
             || exists(@.ex.type() ? (@ != "object" && @ != "null"))
             || exists(@.ex.availableToBack.type() ? (@ != "array" && @ != "null"))
             || exists(@.ex.availableToLay.type() ? (@ != "array" && @ != "null"))))
        || exists($.runners[*].ex.availableToBack[*] ? (@.type() == "string" || @.type() == "boolean" || (@.type() == "object" && (
              !exists(@.price) || !exists(@.size)
           || exists(@.keyvalue() ? (@.key like_regex "^(price|size)$" flag "i" && @.key != "price" && @.key != "size"))
           || (@.price.type() != "number" && @.price.type() != "null")
           || (@.size.type() != "number" && @.size.type() != "null")
           || @.price.abs() > 1e15 || @.size.abs() > 1e15))))
        || exists($.runners[*].ex.availableToLay[*] ? (@.type() == "string" || @.type() == "boolean" || (@.type() == "object" && (
              !exists(@.price) || !exists(@.size)
           || exists(@.keyvalue() ? (@.key like_regex "^(price|size)$" flag "i" && @.key != "price" && @.key != "size"))
           || (@.price.type() != "number" && @.price.type() != "null")
           || (@.size.type() != "number" && @.size.type() != "null")
           || @.price.abs() > 1e15 || @.size.abs() > 1e15))))
      )
    ', '{}', true) then @unreadable_payload
    when coalesce(s.raw_payload ->> 'marketId', '') = '' then @no_market_id
    when jsonb_typeof(s.raw_payload -> 'runners') is distinct from 'array'
      or jsonb_array_length(s.raw_payload -> 'runners') < 3 then @fewer_than_three_runners
    when m.home_selection_id is null or m.away_selection_id is null or m.draw_selection_id is null
      then @no_roles_for_market
    when not (
          s.raw_payload -> 'runners' @> jsonb_build_array(jsonb_build_object('selectionId', m.home_selection_id))
      and s.raw_payload -> 'runners' @> jsonb_build_array(jsonb_build_object('selectionId', m.away_selection_id))
      and s.raw_payload -> 'runners' @> jsonb_build_array(jsonb_build_object('selectionId', m.draw_selection_id))
    ) then @role_runner_missing
  end as reason
) r
where ({any_null})
  and d.snapshot_at >= coalesce(@from, '-infinity'::timestamptz) and d.snapshot_at < coalesce(@to, 'infinity'::timestamptz)
  and s.snapshot_at >= coalesce(@from, '-infinity'::timestamptz) and s.snapshot_at < coalesce(@to, 'infinity'::timestamptz)
group by r.reason;
