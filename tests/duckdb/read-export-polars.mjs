// Reads one netbet export with polars (npm's nodejs-polars) the way the README tells an analyst to and prints what
// polars saw as one JSON object: {"columns":[{"name","type"}],"count":N,"rows":[{column: value}]}, rows in
// snapshot_id order. Types are polars' own names (String, Int64, Float64, Bool, Datetime(us, UTC)). Values keep their
// exact meaning in JSON: Float64 as a JSON number (shortest round-trip), Int64 as a decimal string, Datetime as
// microseconds since the Unix epoch (a string), Boolean, String, null as null.
//
//   node read-export-polars.mjs FILE parquet|csv
import pl from 'nodejs-polars';

const [file, format] = process.argv.slice(2);
if (!file || !['parquet', 'csv'].includes(format)) {
  console.error('usage: node read-export-polars.mjs FILE parquet|csv');
  process.exit(2);
}

// The README's Python, in nodejs-polars' spelling:
//   pl.read_parquet("epl.parquet")
//   pl.read_csv("match.csv", schema_overrides={"market_id": pl.String}, try_parse_dates=True)
const df = format === 'parquet'
  ? pl.readParquet(file)
  : pl.readCSV(file, { dtypes: { market_id: pl.String }, tryParseDates: true });

const columns = df.columns.map(name => ({ name, type: typeName(df.getColumn(name).dtype) }));

// Int64 and Datetime leave polars as text so that no digit is lost to JavaScript's doubles.
const exact = df.sort('snapshot_id').select(...df.columns.map(name => {
  const variant = df.getColumn(name).dtype.variant;
  if (variant === 'Datetime') {
    // Datetime's physical value is its count of time units since the epoch: microseconds, as the export writes.
    return pl.col(name).cast(pl.Int64).cast(pl.String);
  }
  return variant === 'Int64' ? pl.col(name).cast(pl.String) : pl.col(name);
}));
const rows = exact.toRecords();
for (const row of rows) {
  for (const [name, value] of Object.entries(row)) {
    if (!(value === null || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string')) {
      throw new Error(`read-export-polars.mjs: no JSON form for ${name} = ${value}`);
    }
  }
}

process.stdout.write(JSON.stringify({ columns, count: String(df.height), rows }));

function typeName(dtype) {
  if (dtype.variant === 'Datetime') {
    return `Datetime(${dtype.timeUnit}, ${dtype.timeZone ?? 'no time zone'})`;
  }
  return dtype.variant;
}
