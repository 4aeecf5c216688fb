// Reads one netbet export with DuckDB the way an analyst would (select * from the file) and prints what DuckDB saw as
// one JSON object: {"columns":[{"name","type"}],"count":N,"rows":[{column: value}]}, rows in snapshot_id order.
// Values keep their exact meaning in JSON: DOUBLE as a JSON number (shortest round-trip), BIGINT as a decimal string,
// TIMESTAMP WITH TIME ZONE as microseconds since the Unix epoch (a string), BOOLEAN, VARCHAR, NULL as null.
//
//   node read-export.mjs FILE parquet|csv [read_csv options, e.g. "types={'market_id':'VARCHAR'}"]
import { DuckDBInstance, DuckDBTimestampTZValue, DuckDBTimestampValue } from '@duckdb/node-api';

const [file, format, csvOptions] = process.argv.slice(2);
if (!file || !['parquet', 'csv'].includes(format)) {
  console.error('usage: node read-export.mjs FILE parquet|csv [read_csv options]');
  process.exit(2);
}

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const quoted = `'${file.replaceAll("'", "''")}'`;
const source = format === 'parquet'
  ? `read_parquet(${quoted})`
  : `read_csv(${quoted}${csvOptions ? `, ${csvOptions}` : ''})`;

const description = await connection.runAndReadAll(`describe select * from ${source}`);
const columns = description.getRowObjectsJS().map(c => ({ name: c.column_name, type: c.column_type }));
const count = (await connection.runAndReadAll(`select count(*) as n from ${source}`)).getRowObjectsJS()[0].n;
const result = await connection.runAndReadAll(`select * from ${source} order by snapshot_id`);
const rows = result.getRowObjects().map(row => Object.fromEntries(Object.entries(row).map(([name, value]) => [name, plain(value)])));

process.stdout.write(JSON.stringify({ columns, count: count.toString(), rows }));

function plain(value) {
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
    return value;
  }
  if (typeof value === 'bigint') {
    return value.toString();
  }
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) {
    return value.micros.toString();
  }
  throw new Error(`read-export.mjs: no JSON form for ${value?.constructor?.name}: ${value}`);
}
