#!/usr/bin/env python3
"""Compares two builds or two indexes answer for answer.

    bench/server/same_answers.py BIN_A INDEX_A BIN_B INDEX_B QUERIES.jsonl

Starts `BIN_A serve --index INDEX_A` and `BIN_B serve --index INDEX_B` (caches
off), sends every query of QUERIES.jsonl (one JSON object a line: "wildchat"
the query, optional "offset", optional "facet": true) to both with relevance,
newest and random order (30 hits, snippets, facets when asked), and compares
the /api/search responses byte for byte, "took_ms" aside. Prints the first
differences and "N requests, D differ"; exits 1 when any differ.
The query mix peers_bench writes (WORK/query_mix.jsonl) has this shape.
"""
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def start(binary, index, port):
    proc = subprocess.Popen(
        [binary, 'serve', '--index', index, '--port', str(port), '--cache-mb', '0',
         '--query-cache-mb', '0'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f'http://127.0.0.1:{port}/api/info')
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f'{binary} did not start serving {index}')


def get(port, params):
    url = f'http://127.0.0.1:{port}/api/search?' + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url) as r:
            body = r.read().decode()
    except urllib.error.HTTPError as e:
        body = 'HTTP %d %s' % (e.code, e.read().decode())
    return re.sub(r'"took_ms":[0-9.e+-]+', '', body)


def main():
    if len(sys.argv) != 6:
        raise SystemExit(__doc__)
    bin_a, index_a, bin_b, index_b, queries = sys.argv[1:]
    a_proc = start(bin_a, index_a, 18201)
    b_proc = start(bin_b, index_b, 18202)
    requests = differ = 0
    try:
        with open(queries) as f:
            for line in f:
                q = json.loads(line)
                for sort in ('relevance', 'newest', 'random'):
                    params = {'q': q['wildchat'], 'offset': q.get('offset', 0), 'limit': 30,
                              'sort': sort, 'seed': 7}
                    if q.get('facet'):
                        params['facets'] = 'model,language,country,turns,month'
                    a, b = get(18201, params), get(18202, params)
                    requests += 1
                    if a != b:
                        differ += 1
                        if differ <= 5:
                            print('DIFF', params, a[:300], '|||', b[:300])
    finally:
        a_proc.kill()
        b_proc.kill()
    print(f'{requests} requests, {differ} differ')
    sys.exit(1 if differ else 0)


if __name__ == '__main__':
    main()
