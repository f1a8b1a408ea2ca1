// DuckDB as the independent Parquet oracle for src/io/parquet tests.
//
//   node parquet_oracle.mjs write IN.jsonl OUT.parquet OPTIONS TIMESTAMP_TYPE
//     Loads WildChat JSONL with an explicit column type spec and writes it as
//     Parquet with DuckDB's COPY options (e.g. "COMPRESSION zstd,
//     PARQUET_VERSION V2, ROW_GROUP_SIZE 64"). TIMESTAMP_TYPE casts the
//     top-level timestamp column (TIMESTAMPTZ, TIMESTAMP, TIMESTAMP_MS,
//     TIMESTAMP_NS) to cover every unit DuckDB writes.
//   node parquet_oracle.mjs dump IN.parquet OUT.jsonl
//     DuckDB's own JSON rendering of every row of a Parquet file, in order.
//   node parquet_oracle.mjs meta IN.parquet
//     Prints {"row_groups": N, "encodings": [...], "codecs": [...]}.
import { DuckDBInstance } from '@duckdb/node-api';

const CATEGORIES = [
  'harassment', 'harassment/threatening', 'harassment_threatening', 'hate',
  'hate/threatening', 'hate_threatening', 'self-harm', 'self-harm/instructions',
  'self-harm/intent', 'self_harm', 'self_harm_instructions', 'self_harm_intent', 'sexual',
  'sexual/minors', 'sexual_minors', 'violence', 'violence/graphic', 'violence_graphic'];
const DETOXIFY = ['identity_attack', 'insult', 'obscene', 'severe_toxicity', 'sexual_explicit',
  'threat', 'toxicity'];

const q = (name) => '"' + name.replace(/"/g, '""') + '"';
const HEADER = 'STRUCT("accept-language" VARCHAR, "user-agent" VARCHAR)';
const COLUMNS = {
  conversation_hash: 'VARCHAR',
  model: 'VARCHAR',
  timestamp: 'TIMESTAMPTZ',
  conversation: `STRUCT(content VARCHAR, country VARCHAR, hashed_ip VARCHAR, header ${HEADER}, ` +
    'language VARCHAR, redacted BOOLEAN, role VARCHAR, state VARCHAR, timestamp TIMESTAMPTZ, ' +
    'toxic BOOLEAN, turn_identifier BIGINT)[]',
  turn: 'BIGINT',
  language: 'VARCHAR',
  openai_moderation: `STRUCT(categories STRUCT(${CATEGORIES.map((c) => q(c) + ' BOOLEAN').join(', ')}), ` +
    `category_scores STRUCT(${CATEGORIES.map((c) => q(c) + ' DOUBLE').join(', ')}), flagged BOOLEAN)[]`,
  detoxify_moderation: `STRUCT(${DETOXIFY.map((c) => q(c) + ' DOUBLE').join(', ')})[]`,
  toxic: 'BOOLEAN',
  redacted: 'BOOLEAN',
  state: 'VARCHAR',
  country: 'VARCHAR',
  hashed_ip: 'VARCHAR',
  header: HEADER,
};

const lit = (s) => "'" + s.replace(/'/g, "''") + "'";

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run("SET disabled_optimizers='compressed_materialization'");
  await con.run("SET TimeZone='UTC'");
  await con.run('SET threads=1');
  if (cmd === 'write') {
    const [input, output, options, tsType] = args;
    const spec = '{' + Object.entries(COLUMNS).map(([k, v]) => `${lit(k)}: ${lit(v)}`).join(', ') + '}';
    const cols = Object.keys(COLUMNS).map((k) =>
      k === 'timestamp' ? `CAST(timestamp AS ${tsType || 'TIMESTAMPTZ'}) AS timestamp` : q(k));
    await con.run(`COPY (SELECT ${cols.join(', ')} FROM read_json(${lit(input)}, ` +
      `format='newline_delimited', columns=${spec})) TO ${lit(output)} (FORMAT parquet` +
      (options ? ', ' + options : '') + ')');
  } else if (cmd === 'dump') {
    const [input, output] = args;
    await con.run(`COPY (SELECT * FROM read_parquet(${lit(input)})) TO ${lit(output)} (FORMAT json)`);
  } else if (cmd === 'meta') {
    const [input] = args;
    const r = await con.runAndReadAll(
      `SELECT count(DISTINCT row_group_id)::INTEGER AS g, list(DISTINCT encodings) AS e, ` +
      `list(DISTINCT compression) AS c FROM parquet_metadata(${lit(input)})`);
    const row = r.getRowObjectsJson()[0];
    console.log(JSON.stringify({ row_groups: row.g, encodings: row.e, codecs: row.c }));
  } else {
    throw new Error('usage: parquet_oracle.mjs write|dump|meta ...');
  }
}

main().catch((e) => {
  console.error(String(e && e.message ? e.message : e));
  process.exit(1);
});
