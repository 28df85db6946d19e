"""The reference statement (nw_main.sql's pattern) for any query, run on both partitions in parallel."""
import concurrent.futures
from decimal import Decimal
import psycopg2
from common import DSN, slug, required_of

TITLE = ("(2.2 / (1.3 + 0.1125 * coalesce(CAST(octet_length(d.title_keys[1]) - octet_length(replace(replace("
         "replace(d.title_keys[1], ' ', ''), '-', ''), '''', '')) + 1 AS float8), 1)))")


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def ref_sql(q, part, visible):
    words = q.split()
    ws = [f"quebec_search_words({lit(w)})" for w in words]
    orq = "(" + " || ".join(ws) + ")"
    at_least = (f"quebec_search_at_least(CAST(ARRAY[{', '.join(ws)}] AS tsquery[]), {required_of(len(words))})")
    keys = ", ".join(str(k) for k in visible)
    return (
        f"WITH matched AS MATERIALIZED (SELECT d.index_id, (((ts_rank(d.search_text, {orq}) + 1.0 * "
        f"ts_rank(d.search_text, quebec_search_all_words({lit(q)})) + 0.5 * ts_rank(d.search_text_en, {orq}))"
        f" * {TITLE}) + 0.3 * ts_rank('{{1,1,1,1}}', d.search_text, {orq}) + (CASE WHEN d.name = "
        f"{lit(slug(q))} OR d.title_keys && (SELECT ARRAY[lower(unaccent(CAST({lit(q)} AS text)))]) THEN 100 "
        f"ELSE 0 END)) AS score, d.metadata_modified AS s1, d.facet_bytes FROM \"quebec_search_document_{part}\" d"
        f" WHERE ((numnode({at_least}) = 0 OR d.search_text @@ {at_least})) AND d.signature_key = "
        f"ANY(CAST(ARRAY[{keys}] AS bigint[]))) (SELECT -2 AS facet, row_number() OVER () AS position, "
        f"p.index_id AS value, p.score AS n, p.keys FROM (SELECT index_id, score, ARRAY[CAST(score AS text), "
        f"CAST(extract(epoch FROM s1) AS text), index_id] AS keys FROM matched ORDER BY score DESC NULLS LAST, "
        f"s1 DESC NULLS LAST, index_id ASC LIMIT 21 OFFSET 0) AS p) UNION ALL (SELECT -1, "
        f"CAST(CAST('quebec_search_facet_value'::regclass AS oid) AS bigint), encode(string_agg(facet_bytes, "
        f"''::bytea), 'hex'), count(*), NULL FROM matched);")


class Reference:
    def __init__(self, dsn=DSN):
        self.conns = []
        for _ in range(2):
            c = psycopg2.connect(dsn)
            c.autocommit = True
            c.cursor().execute("SET random_page_cost = 1.1; SET client_min_messages = warning")
            self.conns.append(c)
        self.pool = concurrent.futures.ThreadPoolExecutor(2)

    def _run(self, part, sql):
        cur = self.conns[part].cursor()
        cur.execute(sql)
        return cur.fetchall()

    def search(self, q, visible, rows=21, parse=True):
        futs = [self.pool.submit(self._run, part, ref_sql(q, part, visible)) for part in (0, 1)]
        results = [f.result() for f in futs]
        if not parse:
            return results
        count, facets, top = 0, {}, []
        for res in results:
            for facet, position, value, n, keys in res:
                if facet == -1:
                    count += int(n)
                    if value:
                        b = bytes.fromhex(value)
                        for i in range(0, len(b), 4):
                            v = int.from_bytes(b[i:i + 4], "big", signed=True)
                            facets[v] = facets.get(v, 0) + 1
                else:
                    top.append((-float(n), -Decimal(keys[1]) if keys[1] is not None else Decimal("Infinity"),
                                value, float(n)))
        top.sort()
        return {"count": count, "facets": facets, "top": [(t[2], t[3]) for t in top[:rows]]}

    def close(self):
        self.pool.shutdown()
        for c in self.conns:
            c.close()


if __name__ == "__main__":
    # The statement quebec_search sent for this query on partition 0 (captured from the
    # application), given as a file: the builder here must write the same text.
    import sys
    mine = ref_sql("zones inondables Laval", 0, [3275561709979710968])
    captured = open(sys.argv[1]).read().strip()
    print("identical to the captured statement:", mine.strip() == captured)
