// DuckDB's side of bench/parquet/parquet_decode_bench: seconds (best of N) for
// one thread to read every value of a WildChat Parquet file (hashing each row
// so no column can be skipped), and only the metadata columns. CPU seconds.
//   node parquet_bench_duckdb.mjs FILE.parquet [ROUNDS]
import { DuckDBInstance } from '@duckdb/node-api';

const [file, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg || 3);
const lit = "'" + file.replace(/'/g, "''") + "'";
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
await con.run("SET disabled_optimizers='compressed_materialization'");
await con.run('SET threads=1');

async function best(sql) {
  let t = Infinity;
  for (let i = 0; i < rounds; i++) {
    // Process CPU time (DuckDB runs on this process's one worker thread).
    const t0 = process.cpuUsage();
    await con.runAndReadAll(sql);
    const d = process.cpuUsage(t0);
    t = Math.min(t, (d.user + d.system) / 1e6);
  }
  return t;
}

const full = await best(`SELECT sum(hash(t)) FROM read_parquet(${lit}) t`);
const metadata = await best(
  `SELECT sum(hash(conversation_hash, model, timestamp, turn, language, toxic, redacted, state, ` +
  `country, hashed_ip, header)) FROM read_parquet(${lit})`);
console.log(JSON.stringify({ full_seconds: full, metadata_seconds: metadata }));
