"""Build the posting-list prototype tables (proto_*) from quebec_search_document (both partitions).

proto_doc       docnum <-> index_id and the forward values (as SQL computes them)
proto_lexeme    lexid <-> (field, lexeme)   (field 0 = search_text, 1 = search_text_en)
proto_postings  (field, lexeme) -> df, data bytea (little-endian):
                docs int32[df] | n_def f32[df] | n_eq f32[df] | npos u16[df] | pos u16[sum npos]
                n_def/n_eq: calc_rank_or's float4 numerator per (doc, lexeme), default / {1,1,1,1} weights,
                verified against PostgreSQL's own ts_rank(search_text, 'lexeme') for every posting.
                pos: raw WordEntryPos (weight << 14 | position), in the tsvector's order.
proto_forward   name -> bytea: sig int64[N], mm int64[N] (epoch microseconds), tn float64[N],
                foff int32[N+1], fids int32[...]
"""
import io, sys, time, json
import numpy as np
import psycopg2
from common import DSN, W_DEFAULT, W_EQUAL, PI2_6, rank_or_numerators

T0 = time.perf_counter()
timings = {}


def step(name, t):
    timings[name] = round(time.perf_counter() - t, 2)
    print(f"{name}: {timings[name]} s", flush=True)


conn = psycopg2.connect(DSN)
conn.autocommit = True
cur = conn.cursor()
cur.execute("SET work_mem = '256MB'; SET jit = off")

t = time.perf_counter()
cur.execute("""
DROP TABLE IF EXISTS proto_doc, proto_lexeme, proto_postings, proto_forward;
CREATE TABLE proto_doc AS
SELECT (row_number() OVER (ORDER BY index_id COLLATE "C") - 1)::int AS docnum,
       index_id, name, signature_key,
       (extract(epoch FROM metadata_modified) * 1000000)::bigint AS mm_us,
       (2.2 / (1.3 + 0.1125 * coalesce(CAST(octet_length(title_keys[1]) - octet_length(replace(replace(replace(
            title_keys[1], ' ', ''), '-', ''), '''', '')) + 1 AS float8), 1))) AS title_norm,
       title_keys, facet_ids
FROM quebec_search_document;
ALTER TABLE proto_doc ADD PRIMARY KEY (docnum);
CREATE UNIQUE INDEX ON proto_doc (index_id);
CREATE TABLE proto_lexeme AS
SELECT (row_number() OVER (ORDER BY field, lexeme COLLATE "C") - 1)::int AS lexid, field, lexeme
FROM (SELECT DISTINCT 0 AS field, unnest(tsvector_to_array(search_text)) AS lexeme FROM quebec_search_document
      UNION ALL
      SELECT DISTINCT 1, unnest(tsvector_to_array(search_text_en)) FROM quebec_search_document) s;
ALTER TABLE proto_lexeme ADD PRIMARY KEY (field, lexeme);
ANALYZE proto_doc; ANALYZE proto_lexeme;
""")
step("proto_doc + proto_lexeme (SQL)", t)

cur.execute("SELECT count(*) FROM proto_doc")
N = cur.fetchone()[0]
cur.execute("SELECT field, count(*) FROM proto_lexeme GROUP BY 1 ORDER BY 1")
print("docs", N, "lexemes per field", cur.fetchall())


def copy_binary(sql, dtype):
    buf = io.BytesIO()
    cur.copy_expert(f"COPY ({sql}) TO STDOUT (FORMAT binary)", buf)
    raw = buf.getbuffer()
    body = raw[19:len(raw) - 2]
    arr = np.frombuffer(body, dtype=dtype)
    assert (arr["n"] == len(dtype.names) // 2).all()
    return arr


def fields_dtype(spec):
    d = [("n", ">i2")]
    for name, typ in spec:
        d += [("l_" + name, ">i4"), (name, typ)]
    return np.dtype(d)


QQ = "format('''%s''', replace(replace(u.lexeme, '\\', '\\\\'), '''', ''''''))::tsquery"
VEC = {0: "s.search_text", 1: "s.search_text_en"}
entries = {}
for field in (0, 1):
    t = time.perf_counter()
    a = copy_binary(f"""
        SELECT l.lexid, d.docnum, coalesce(cardinality(u.positions), 0),
               ts_rank({VEC[field]}, {QQ})::float8, ts_rank('{{1,1,1,1}}', {VEC[field]}, {QQ})::float8
        FROM quebec_search_document s JOIN proto_doc d USING (index_id)
        CROSS JOIN LATERAL unnest({VEC[field]}) u
        JOIN proto_lexeme l ON l.field = {field} AND l.lexeme = u.lexeme""",
        fields_dtype([("lexid", ">i4"), ("doc", ">i4"), ("npos", ">i4"), ("fd", ">f8"), ("fe", ">f8")]))
    step(f"field {field}: entries + PostgreSQL ts_rank per posting (COPY binary)", t)
    t = time.perf_counter()
    b = copy_binary(f"""
        SELECT l.lexid, d.docnum, x.o::int, (x.p + 16384 * (CASE x.w WHEN 'A' THEN 3 WHEN 'B' THEN 2
                                                           WHEN 'C' THEN 1 ELSE 0 END))::int
        FROM quebec_search_document s JOIN proto_doc d USING (index_id)
        CROSS JOIN LATERAL unnest({VEC[field]}) u
        CROSS JOIN LATERAL unnest(u.positions, u.weights) WITH ORDINALITY AS x(p, w, o)
        JOIN proto_lexeme l ON l.field = {field} AND l.lexeme = u.lexeme""",
        fields_dtype([("lexid", ">i4"), ("doc", ">i4"), ("ord", ">i4"), ("val", ">i4")]))
    step(f"field {field}: positions (COPY binary)", t)
    t = time.perf_counter()
    ea = np.lexsort((a["doc"], a["lexid"]))
    lexid = a["lexid"][ea].astype(np.int32); doc = a["doc"][ea].astype(np.int32)
    npos = a["npos"][ea].astype(np.int64); fd = a["fd"][ea].astype(np.float32); fe = a["fe"][ea].astype(np.float32)
    assert (a["fd"][ea] == fd.astype(np.float64)).all()  # ts_rank is float4: exact in float8
    eb = np.lexsort((b["ord"], b["doc"], b["lexid"]))
    val = b["val"][eb].astype(np.uint16)
    assert len(val) == npos.sum()
    assert (npos > 0).all(), "entries without positions are not handled"
    step(f"field {field}: sort (numpy)", t)
    t = time.perf_counter()
    nd = rank_or_numerators(npos, val, W_DEFAULT)
    ne = rank_or_numerators(npos, val, W_EQUAL)
    # ts_rank(vec, 'lexeme') = (float)(0.0 + (double)N / 1.64493406685) / 1
    gd = (nd.astype(np.float64) / PI2_6).astype(np.float32)
    ge = (ne.astype(np.float64) / PI2_6).astype(np.float32)
    bad_d = int((gd != fd).sum()); bad_e = int((ge != fe).sum())
    print(f"field {field}: {len(doc)} postings; numerator check vs PostgreSQL ts_rank: "
          f"{bad_d} default-weight and {bad_e} equal-weight mismatches")
    timings[f"field {field} mismatches"] = [bad_d, bad_e]
    step(f"field {field}: numerators (numpy) + check", t)
    entries[field] = (lexid, doc, npos, nd, ne, val)

# postings rows
t = time.perf_counter()
cur.execute("SELECT lexid, lexeme FROM proto_lexeme ORDER BY lexid")
lexemes = [r[1] for r in cur.fetchall()]
cur.execute("""CREATE TABLE proto_postings (field smallint, lexeme text, df int, data bytea,
               PRIMARY KEY (field, lexeme));
               ALTER TABLE proto_postings ALTER data SET STORAGE EXTERNAL""")
ESC = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
out = io.StringIO()
nrows = 0
for field in (0, 1):
    lexid, doc, npos, nd, ne, val = entries[field]
    bounds = np.flatnonzero(np.diff(lexid)) + 1
    starts = np.concatenate([[0], bounds]); ends = np.concatenate([bounds, [len(lexid)]])
    pstart = np.zeros(len(npos) + 1, dtype=np.int64); np.cumsum(npos, out=pstart[1:])
    doc_b = doc.astype("<i4").tobytes(); nd_b = nd.astype("<f4").tobytes(); ne_b = ne.astype("<f4").tobytes()
    np_b = npos.astype("<u2").tobytes(); val_b = val.astype("<u2").tobytes()
    for s, e in zip(starts.tolist(), ends.tolist()):
        ps, pe = int(pstart[s]), int(pstart[e])
        data = doc_b[4*s:4*e] + nd_b[4*s:4*e] + ne_b[4*s:4*e] + np_b[2*s:2*e] + val_b[2*ps:2*pe]
        out.write(f"{field}\t{lexemes[lexid[s]].translate(ESC)}\t{e - s}\t\\\\x{data.hex()}\n")
        nrows += 1
step("postings rows serialised (python)", t)
t = time.perf_counter()
out.seek(0)
cur.copy_expert("COPY proto_postings (field, lexeme, df, data) FROM STDIN", out)
cur.execute("ANALYZE proto_postings")
step(f"proto_postings COPY ({nrows} rows)", t)

# forward arrays
t = time.perf_counter()
cur.execute("SELECT docnum, signature_key, mm_us, title_norm, facet_ids FROM proto_doc ORDER BY docnum")
rows = cur.fetchall()
assert [r[0] for r in rows] == list(range(N))
sig = np.array([r[1] for r in rows], dtype=np.int64)
mm = np.array([r[2] if r[2] is not None else np.iinfo(np.int64).min for r in rows], dtype=np.int64)
tn = np.array([r[3] for r in rows], dtype=np.float64)
lens = np.array([len(r[4]) for r in rows], dtype=np.int64)
foff = np.zeros(N + 1, dtype=np.int32); np.cumsum(lens, out=foff[1:])
fids = np.array([x for r in rows for x in r[4]], dtype=np.int32)
cur.execute("CREATE TABLE proto_forward (name text PRIMARY KEY, data bytea)")
cur.execute("ALTER TABLE proto_forward ALTER data SET STORAGE EXTERNAL")
for name, arr in [("sig", sig), ("mm", mm), ("tn", tn), ("foff", foff), ("fids", fids)]:
    cur.execute("INSERT INTO proto_forward VALUES (%s, %s)", (name, psycopg2.Binary(arr.tobytes())))
step("proto_forward", t)

cur.execute("""SELECT relname, pg_total_relation_size(oid), pg_relation_size(oid)
               FROM pg_class WHERE relname IN ('proto_doc','proto_lexeme','proto_postings','proto_forward')
               ORDER BY 1""")
sizes = {r[0]: {"total_bytes": r[1], "heap_bytes": r[2]} for r in cur.fetchall()}
timings["total"] = round(time.perf_counter() - T0, 2)
print(json.dumps({"timings_s": timings, "sizes": sizes}, indent=1))
json.dump({"timings_s": timings, "sizes": sizes}, open("postings-build.json", "w"), indent=1)
