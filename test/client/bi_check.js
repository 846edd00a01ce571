// node bi_check.js QUERIES  (connection from PGHOST, PGPORT, PGDATABASE,
// PGUSER, PGPASSWORD)
//
// Reads BI queries through node-postgres (npm pg), the driver of Cube and
// Evidence, and checks that every column arrives as a type BI tools chart.
// QUERIES holds "label\0sql\0" pairs (written by test/client/drivers.sh); a
// query whose label starts with "must reject:" has a column that is not
// chartable, and the check must find it.  Prints TAP.
'use strict';
const fs = require('fs');
const { Client } = require('pg');

// The chartable PostgreSQL types and what a value of each arrives as in
// JavaScript with node-postgres' default parsers (int8 and numeric as
// strings, to keep every digit).
const CHARTABLE = {
  date: (v) => v instanceof Date,
  timestamp: (v) => v instanceof Date,
  timestamptz: (v) => v instanceof Date,
  int4: (v) => typeof v === 'number',
  int8: (v) => typeof v === 'string' && /^-?\d+$/.test(v),
  numeric: (v) => typeof v === 'string' && /^(-?\d+(\.\d+)?|NaN|-?Infinity)$/.test(v),
  float8: (v) => typeof v === 'number',
  text: (v) => typeof v === 'string',
};

(async () => {
  const parts = fs.readFileSync(process.argv[2], 'utf8').split('\0');
  const client = new Client();
  await client.connect();
  const types = new Map((await client.query('SELECT oid, typname FROM pg_type')).rows
    .map((r) => [Number(r.oid), r.typname]));
  let n = 0;
  let failed = 0;
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const label = parts[i];
    const mustReject = label.startsWith('must reject:');
    const problems = [];
    let rows = [];
    let fields = [];
    try {
      ({ rows, fields } = await client.query(parts[i + 1]));
      for (const f of fields) {
        const type = types.get(f.dataTypeID);
        const arrives = CHARTABLE[type];
        if (!arrives) {
          problems.push(f.name + ' is ' + type);
          continue;
        }
        rows.forEach((r, k) => {
          const v = r[f.name];
          if (v !== null && !arrives(v)) problems.push(f.name + ' row ' + (k + 1) + ' arrives as ' + JSON.stringify(v));
        });
      }
      if (rows.length === 0) problems.push('no rows');
    } catch (e) {
      problems.push('SQLSTATE ' + e.code + ': ' + e.message);
    }
    const ok = mustReject ? problems.length > 0 : problems.length === 0;
    n++;
    if (!ok) failed++;
    console.log((ok ? 'ok ' : 'not ok ') + n + ' - node-postgres: ' + label +
                ' (' + fields.length + ' columns, ' + rows.length + ' rows)');
    if (!ok || mustReject) problems.slice(0, 10).forEach((p) => console.log('# ' + p));
  }
  await client.end();
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log('not ok 1 - node-postgres: connected and read the queries');
  console.log('# ' + String(e.stack || e).split('\n').join('\n# '));
  process.exit(1);
});
