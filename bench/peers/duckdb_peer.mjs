// DuckDB as a peer for the query-mix benchmark: scans the Parquet release
// with ILIKE over the concatenated utterance text, as the Hugging Face dataset
// viewer does. Reads the shared mix (query_mix.jsonl), runs every `stride`-th
// non-regex query (and every regex query) until `budget` seconds are spent,
// and prints one line per query: index, wall and CPU milliseconds (timed
// inside node; CPU of the whole process, DuckDB runs on one thread), count.
//
//   node duckdb_peer.mjs --modules tests/node --parquet corpus.parquet
//        --mix query_mix.jsonl [--stride 10] [--budget 300] [--threads 1]
import { createRequire } from 'module';
import { readFileSync } from 'fs';
import path from 'path';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const require = createRequire(path.resolve(args.modules, 'package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const stride = Number(args.stride || 10);
const budgetMs = Number(args.budget || 300) * 1000;
const threads = String(args.threads || 1);
const mix = readFileSync(args.mix, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));

const instance = await DuckDBInstance.create(':memory:', { threads });
const conn = await instance.connect();
// DuckDB 1.5.x mis-orders nested strings read from Parquet without this.
await conn.run("SET disabled_optimizers='compressed_materialization'");
const parquet = args.parquet.replace(/'/g, "''");
await conn.run(`CREATE VIEW t AS SELECT conversation[1].turn_identifier AS id, model, language,
  country, toxic, turn, "timestamp" AS ts,
  array_to_string(list_transform(conversation, x -> x.content), chr(10)) AS text
  FROM read_parquet('${parquet}')`);

const started = performance.now();
let nonRegex = 0;
for (const q of mix) {
  const regex = q.kind === 'regex';
  if (!regex && nonRegex++ % stride !== 0) continue;
  if (performance.now() - started > budgetMs) break;
  const w = q.duck_where;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const counted = await conn.runAndReadAll(`SELECT count(*) FROM t WHERE ${w}`);
  const count = String(counted.getRows()[0][0]);
  if (q.facet) await conn.runAndReadAll(`SELECT language, count(*) FROM t WHERE ${w} GROUP BY 1`);
  await conn.runAndReadAll(
    `SELECT id FROM t WHERE ${w} ORDER BY ts DESC NULLS LAST, id LIMIT 30 OFFSET ${q.offset}`);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  process.stdout.write(`${q.i}\t${ms.toFixed(3)}\t${cpuMs.toFixed(3)}\t${count}\n`);
}
