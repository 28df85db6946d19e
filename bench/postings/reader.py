"""Posting-list reader: count, facet counts and top-k of a dismax text query, from proto_postings."""
import io, struct, time
from array import array
import numpy as np
import psycopg2
from common import (DSN, W_DEFAULT, W_EQUAL, PI2_6, word_distance_table, parse_tsquery, either_of,
                    rank_items, slug, required_of)

WD = word_distance_table()
BIG = np.float32(2.0 ** -19)    # an event this large lifts res to >= 2^-20 for good (res never decreases)
TINY = np.float32(2.0 ** -47)   # once res >= 2^-20, an event below it cannot change the float4 res
                                # (includes every event farther than 100 positions: curw <= 1e-15)
F32_1E20 = np.float32(1e-20)
W1 = 2              # stage-1 window (positions) for the lower bounds of R2
STAGE2_MIN = 500    # stage 2 when stage 1 leaves more candidates than this


def parse_copy_binary(raw):
    """(field int2, lexeme text, df int4, data bytea) tuples of a COPY ... (FORMAT binary) stream."""
    out = []
    off = 19
    mv = memoryview(raw)
    while True:
        (n,) = struct.unpack_from(">h", raw, off); off += 2
        if n == -1:
            break
        vals = []
        for _ in range(n):
            (ln,) = struct.unpack_from(">i", raw, off); off += 4
            vals.append(mv[off:off + ln]); off += ln
        out.append((struct.unpack(">h", vals[0])[0], bytes(vals[1]).decode(),
                    struct.unpack(">i", vals[2])[0], vals[3]))
    return out


class Posting:
    __slots__ = ("docs", "nd", "ne", "npos", "pos", "pstart")

    def __init__(self, df, data):
        b = memoryview(data)
        self.docs = np.frombuffer(b, "<i4", df, 0)
        self.nd = np.frombuffer(b, "<f4", df, 4 * df)
        self.ne = np.frombuffer(b, "<f4", df, 8 * df) if len(b) >= 12 * df else None
        if len(b) > 12 * df:
            self.npos = np.frombuffer(b, "<u2", df, 12 * df)
            self.pos = np.frombuffer(b, "<u2", -1, 14 * df)
        else:
            self.npos = self.pos = None
        self.pstart = None

    def starts(self):
        if self.pstart is None:
            s = np.zeros(len(self.npos), dtype=np.int64)
            np.cumsum(self.npos[:-1], out=s[1:])
            self.pstart = s
        return self.pstart


class Reader:
    def __init__(self, dsn=DSN, mode="full"):
        self.conn = psycopg2.connect(dsn)
        self.conn.autocommit = True
        cur = self.conn.cursor()
        cur.execute("SELECT name, data FROM proto_forward")
        fw = {n: bytes(d) for n, d in cur.fetchall()}
        self.sig = np.frombuffer(fw["sig"], np.int64)
        self.mm = np.frombuffer(fw["mm"], np.int64)
        self.tn = np.frombuffer(fw["tn"], np.float64)
        self.foff = np.frombuffer(fw["foff"], np.int32).astype(np.int64)
        self.fids = np.frombuffer(fw["fids"], np.int32)
        self.N = len(self.sig)
        cur.execute("SELECT docnum, index_id, name, title_keys FROM proto_doc ORDER BY docnum")
        self.index_id = []
        self.by_name, self.by_title = {}, {}
        for docnum, iid, name, tks in cur.fetchall():
            self.index_id.append(iid)
            if name is not None:
                self.by_name.setdefault(name, []).append(docnum)
            for k in tks or []:
                if k is not None:
                    self.by_title.setdefault(k, []).append(docnum)
        self.visible_cache = {}
        self._ct = {}
        self._f32 = array("f", [0.0])
        self.r2_mode = "python"
        self.vector_min = 2000  # above this many docs to rank exactly, the vectorised loop
        self.first_extra = 5    # first batch of exact R2: rows + this
        self.read_mode = mode                    # "text", "full" or "nopos"
        self.r2_mode = "sql" if mode == "nopos" else "python"

    # ------------------------------------------------------------------
    def search(self, q, visible, rows=21, prune=True, want_ranks=False):
        T = {}
        self._q = q
        t = time.perf_counter()
        words = q.split()
        required = required_of(len(words))
        cur = self.conn.cursor()
        cur.execute("SELECT " + ", ".join(["quebec_search_words(%s)::text"] * len(words))
                    + ", quebec_search_all_words(%s)::text, lower(unaccent(%s))", words + [q, q])
        row = cur.fetchone()
        trees = [parse_tsquery(x) for x in row[:len(words)]]
        and_tree = parse_tsquery(row[len(words)])
        key = row[len(words) + 1]
        nonempty = [tr for tr in trees if tr is not None]
        or_tree = either_of(trees)  # tsquery ||: empty operands drop out
        or_items = rank_items(or_tree)
        and_items = rank_items(and_tree)
        T["parse"] = time.perf_counter() - t

        t = time.perf_counter()
        lex0 = sorted(set(or_items) | set(and_items))
        if self.read_mode == "text":
            cur.execute("SELECT field, lexeme, df, data FROM proto_postings WHERE (field = 0 AND lexeme = ANY(%s))"
                        " OR (field = 1 AND lexeme = ANY(%s))", (lex0, or_items))
            rows_ = cur.fetchall()
        else:
            # binary COPY: bytea as is (the text protocol doubles it in hex and decodes it slowly).
            # "nopos" reads only docs, n_def, n_eq of field 0 and docs, n_def of field 1 (toast slices):
            # R2 then comes from PostgreSQL for the few docs the top 21 needs.
            f0 = "data" if self.read_mode == "full" else "substring(data from 1 for 12 * df)"
            f1 = "data" if self.read_mode == "full" else "substring(data from 1 for 8 * df)"
            sql = cur.mogrify(
                f"COPY (SELECT field, lexeme, df, {f0} FROM proto_postings WHERE field = 0 AND lexeme = ANY(%s)"
                f" UNION ALL SELECT field, lexeme, df, {f1} FROM proto_postings WHERE field = 1"
                f" AND lexeme = ANY(%s)) TO STDOUT (FORMAT binary)", (lex0, or_items)).decode()
            buf = io.BytesIO()
            cur.copy_expert(sql, buf)
            rows_ = parse_copy_binary(buf.getbuffer())
        post = {0: {}, 1: {}}
        nbytes = 0
        for field, lex, df, data in rows_:
            post[field][lex] = Posting(df, data)
            nbytes += len(data)
        T["read"] = time.perf_counter() - t

        # -- match ------------------------------------------------------------
        t = time.perf_counter()
        N = self.N
        present = {}
        for lex, p in post[0].items():
            z = np.zeros(N, dtype=bool); z[p.docs] = True; present[lex] = z
        none = np.zeros(N, dtype=bool)

        def ev(tr):
            if tr[0] == "v":
                return present.get(tr[1], none)
            if tr[0] == "&":
                return ev(tr[1]) & ev(tr[2])
            if tr[0] == "|":
                return ev(tr[1]) | ev(tr[2])
            return ~ev(tr[1])

        n_empty = len(trees) - len(nonempty)
        if n_empty >= required:
            matched = np.ones(N, dtype=bool)
        else:
            cnt = np.full(N, n_empty, dtype=np.int8)
            for tr in nonempty:
                cnt += ev(tr)
            matched = cnt >= required
        vkey = tuple(sorted(visible))
        vis = np.isin(self.sig, np.array(vkey, dtype=np.int64))
        matched &= vis
        m = np.flatnonzero(matched)
        M = len(m)
        loc = np.full(N, -1, dtype=np.int64); loc[m] = np.arange(M)
        T["match"] = time.perf_counter() - t

        # -- rank ---------------------------------------------------------------
        t = time.perf_counter()
        r1 = self.rank(or_tree, or_items, post[0], loc, M, W_DEFAULT, "nd", prune)
        r4 = self.rank(or_tree, or_items, post[0], loc, M, W_EQUAL, "ne", prune)
        r3 = self.rank(or_tree, or_items, post[1], loc, M, W_DEFAULT, "nd", prune)
        T["rank_or"] = time.perf_counter() - t
        t = time.perf_counter()
        two_stage = (not want_ranks and and_tree is not None and and_tree[0] == "&" and len(and_items) >= 2)
        if not two_stage:
            r2 = self.rank(and_tree, and_items, post[0], loc, M, W_DEFAULT, "nd", prune)
            T["rank_and"] = time.perf_counter() - t
        boost = np.zeros(M, dtype=np.int64)
        hits = self.by_name.get(slug(q), []) + self.by_title.get(key, [])
        if hits:
            h = loc[np.array(hits, dtype=np.int64)]
            boost[h[h >= 0]] = 100
        f1, f3, f4 = r1.astype(np.float64), r3.astype(np.float64), r4.astype(np.float64)
        tn = self.tn[m]

        def score_of(r2d, sl=slice(None)):
            return (f1[sl] + 1.0 * r2d + 0.5 * f3[sl]) * tn[sl] + 0.3 * f4[sl] + boost[sl]

        if two_stage:
            # R2 <= 1: an upper bound of every doc's score. Exact R2 (hence exact score) for the docs
            # in decreasing order of that bound, until no doc left has a bound >= the 21st best exact
            # score found (those cannot be in the top 21).
            U = score_of(np.ones(M))
            exact = np.full(M, -np.inf)
            k0 = min(M, rows + self.first_extra)
            batch = np.argpartition(-U, k0 - 1)[:k0] if k0 < M else np.arange(M)
            n_exact, rounds = 0, 0
            while len(batch):
                rounds += 1
                if len(batch) > self.vector_min:
                    # many docs left: the vectorised exact calc_rank_and (needs positions)
                    p0 = self.with_positions(and_items, post[0])
                    loc_b = np.full(N, -1, dtype=np.int64); loc_b[m[batch]] = np.arange(len(batch))
                    r2b = self.rank_and(and_items, p0, loc_b, len(batch), W_DEFAULT, prune)
                else:
                    r2b = self.r2_exact(and_items, post[0], m[batch], W_DEFAULT)
                exact[batch] = score_of(r2b.astype(np.float64), batch)
                n_exact += len(batch)
                kth = np.partition(exact, M - rows)[M - rows] if M > rows else -np.inf
                batch = np.flatnonzero((U >= kth) & (exact == -np.inf))
            cand = np.flatnonzero(exact > -np.inf)
            sc = exact[cand]
            o = cand[np.lexsort((m[cand], -self.mm[m[cand]], -sc))][:rows]
            T["rank_and"] = time.perf_counter() - t
            T["r2_exact_docs"] = n_exact
            T["r2_rounds"] = rounds
            t = time.perf_counter()
            score = exact
        else:
            score = score_of(r2.astype(np.float64))
            # -- top k: score DESC, metadata_modified DESC (nulls last), index_id ASC (= docnum)
            if M > rows:
                thr = np.partition(score, M - rows)[M - rows]
                cand = np.flatnonzero(score >= thr)
            else:
                cand = np.arange(M)
            o = cand[np.lexsort((m[cand], -self.mm[m[cand]], -score[cand]))][:rows]
        top = [(self.index_id[m[i]], float(score[i])) for i in o]
        T["score_topk"] = time.perf_counter() - t
        T.setdefault("r2_exact_docs", M)

        # -- facets ---------------------------------------------------------------
        t = time.perf_counter()
        s = self.foff[m]; lens = self.foff[m + 1] - s
        tot = int(lens.sum())
        first = np.zeros(M, dtype=np.int64); np.cumsum(lens[:-1], out=first[1:])
        idx = np.repeat(s - first, lens) + np.arange(tot)
        counts = np.bincount(self.fids[idx])
        nz = np.flatnonzero(counts)
        facets = dict(zip(nz.tolist(), counts[nz].tolist()))
        T["facets"] = time.perf_counter() - t
        out = {"count": M, "facets": facets, "top": top, "times": T, "bytes": nbytes}
        if want_ranks:
            out["ranks"] = {"docs": m, "r1": r1, "r2": r2, "r3": r3, "r4": r4, "score": score}
        return out

    # ------------------------------------------------------------------
    def rank(self, tree, items, post, loc, M, weights, nkey, prune):
        """ts_rank(vec, tree) for the M matched docs (float32), as tsrank.c calc_rank (method 0)."""
        if tree is None or not items:
            return np.zeros(M, dtype=np.float32)
        if tree[0] == "&" and len(items) >= 2:
            return self.rank_and(items, post, loc, M, weights, prune)
        res = np.zeros(M, dtype=np.float32)
        for it in items:  # sorted unique items, as SortAndUniqItems
            p = post.get(it)
            if p is None:
                continue
            li = loc[p.docs]; sel = li >= 0
            n = getattr(p, nkey)
            li = li[sel]
            res[li] = (res[li].astype(np.float64) + n[sel].astype(np.float64) / PI2_6).astype(np.float32)
        return res / np.float32(len(items))

    def r2_exact(self, items, post, docs, weights):
        """calc_rank_and for a few docs (global docnums), in the C loop order, float4 as C rounds it;
        a doc whose res reaches 1.0f stops (1 - (1 - 1)(1 - c) = 1 for any c)."""
        if self.r2_mode == "sql":
            return self.r2_sql(docs)
        per = []
        for it in items:
            p = post.get(it)
            if p is None:
                per.append(None); continue
            j = np.searchsorted(p.docs, docs)
            j = np.minimum(j, len(p.docs) - 1)
            has = p.docs[j] == docs
            st = p.starts()[j]; n = p.npos[j].astype(np.int64)
            per.append((has.tolist(), st.tolist(), n.tolist(), p.pos))
        wl = [float(x) for x in weights]
        ct = self.ctable(weights)
        f = self._f32
        out = np.empty(len(docs), dtype=np.float32)
        for d in range(len(docs)):
            plist = []
            for x in per:
                if x is None or not x[0][d]:
                    plist.append(None)
                else:
                    s0 = x[1][d]
                    plist.append(x[3][s0:s0 + x[2][d]].tolist())
            res = -1.0
            for i in range(len(plist)):
                pi = plist[i]
                if pi is None:
                    continue
                for k in range(i):
                    pk = plist[k]
                    if pk is None:
                        continue
                    for a in pi:
                        ta = ct[a >> 14]; pa = a & 0x3FFF
                        for b in pk:
                            dist = pa - (b & 0x3FFF)
                            if dist < 0:
                                dist = -dist
                            elif dist == 0:
                                continue
                            c = ta[b >> 14][dist if dist <= 101 else 101]
                            if res < 0:
                                res = c
                            else:
                                f[0] = 1.0 - (1.0 - res) * (1.0 - c); res = f[0]
                        if res == 1.0:
                            break
                    if res == 1.0:
                        break
                if res == 1.0:
                    break
            out[d] = res if res >= 0 else F32_1E20
        return out

    def with_positions(self, items, post):
        """The postings of items with their positions (read again, whole, in "nopos" mode)."""
        if all(post[it].pos is not None for it in items if it in post):
            return post
        cur = self.conn.cursor()
        sql = cur.mogrify("COPY (SELECT field, lexeme, df, data FROM proto_postings WHERE field = 0"
                          " AND lexeme = ANY(%s)) TO STDOUT (FORMAT binary)", (list(items),)).decode()
        buf = io.BytesIO()
        cur.copy_expert(sql, buf)
        return {lex: Posting(df, data) for _, lex, df, data in parse_copy_binary(buf.getbuffer())}

    def ctable(self, weights):
        """curw = (float) sqrt(wpos(l) * wpos(p) * word_distance(dist)), per weight pair and dist (101 = far)."""
        key = tuple(weights.tolist())
        if key not in self._ct:
            t = [[[0.0] * 102 for _ in range(4)] for _ in range(4)]
            for x in range(4):
                for y in range(4):
                    for dist in range(1, 102):
                        w = (weights[x] * weights[y]) * WD[dist]
                        t[x][y][dist] = float(np.float32(np.sqrt(np.float64(w))))
            self._ct[key] = t
        return self._ct[key]

    def r2_sql(self, docs):
        cur = self.conn.cursor()
        ids = [self.index_id[int(x)] for x in docs]
        cur.execute("SELECT d.index_id, ts_rank(d.search_text, quebec_search_all_words(%s))"
                    " FROM quebec_search_document d WHERE d.index_id = ANY(%s)", (self._q, ids))
        got = dict(cur.fetchall())
        return np.array([got[x] for x in ids], dtype=np.float64).astype(np.float32)

    def r2_bounds(self, items, post, loc, M, weights, W):
        """Bounds on calc_rank_and for every matched doc, without its sequential float4 loop.

        The exact loop is r <- fl32(1 - (1 - r)(1 - c)) over the pair events in C order; its real
        counterpart is 1 - prod(1 - c). Each step's rounding moves r by at most 2^-24 and later steps
        do not amplify it (factor 1 - c <= 1), so |exact - (1 - prod)| <= P * (2^-24 + 2^-52) for P
        events. Events farther than 100 positions have c <= 1e-15 (word_distance 1e-30) and are left
        out of the product (<= P * 1e-15 more). Near events are found by a window join on
        (doc, position) keys, in any order: the product does not depend on it."""
        keys, docs_of, vals, cnts = {}, {}, {}, {}
        for it in items:
            p = post.get(it)
            if p is None:
                continue
            li = loc[p.docs]; sel = np.flatnonzero(li >= 0)
            cnt = p.npos[sel].astype(np.int64)
            st = p.starts()[sel]
            tot = int(cnt.sum())
            first = np.zeros(len(sel), dtype=np.int64); np.cumsum(cnt[:-1], out=first[1:])
            idx = np.repeat(st - first, cnt) + np.arange(tot)
            v = p.pos[idx]
            dl = np.repeat(li[sel], cnt)
            keys[it] = dl * 32768 + (v & 0x3FFF)
            docs_of[it] = dl; vals[it] = v
            c = np.zeros(M, dtype=np.int64); c[li[sel]] = cnt; cnts[it] = c
        logsum = np.zeros(M, dtype=np.float64)
        pairs = np.zeros(M, dtype=np.int64)
        present = [it for it in items if it in keys]
        for i in range(len(present)):
            for k in range(i):
                a, b = present[i], present[k]
                pairs += cnts[a] * cnts[b]
                ka, kb = keys[a], keys[b]
                lo = np.searchsorted(kb, ka - W); hi = np.searchsorted(kb, ka + W, side="right")
                n = hi - lo
                tot = int(n.sum())
                if tot == 0:
                    continue
                first = np.zeros(len(n), dtype=np.int64); np.cumsum(n[:-1], out=first[1:])
                ia = np.repeat(np.arange(len(n)), n)
                ib = np.repeat(lo - first, n) + np.arange(tot)
                dist = np.abs((ka[ia] & 0x3FFF) - (kb[ib] & 0x3FFF))
                keep = dist != 0
                ia, ib, dist = ia[keep], ib[keep], dist[keep]
                w = (weights[vals[a][ia] >> 14] * weights[vals[b][ib] >> 14]) * WD[dist]
                c = np.sqrt(w.astype(np.float64)).astype(np.float32).astype(np.float64)
                logsum += np.bincount(docs_of[a][ia], weights=np.log1p(-c), minlength=M)
        approx = -np.expm1(logsum)
        eps = pairs * (2.0 ** -24 + 2.0 ** -52 + 1.1e-15) + 1e-12
        lo = np.maximum(approx - eps, 0.0)   # fewer events: smaller product, so a lower bound for any W
        hi = np.minimum(approx + eps, 1.0) if W >= 100 else np.ones(M)
        return lo, hi, int(pairs.sum())

    def rank_and(self, items, post, loc, M, weights, prune):
        # per item, over the matched docs: has, offset into its pos, npos
        per = []
        for it in items:
            p = post.get(it)
            if p is None:
                per.append(None); continue
            li = loc[p.docs]; sel = np.flatnonzero(li >= 0)
            off = np.full(M, -1, dtype=np.int64); cnt = np.zeros(M, dtype=np.int64)
            off[li[sel]] = p.starts()[sel]; cnt[li[sel]] = p.npos[sel]
            per.append((p.pos, off, cnt))
        ev_doc, ev_c = [], []
        for i in range(len(items)):
            if per[i] is None:
                continue
            pos_i, off_i, cnt_i = per[i]
            for k in range(i):
                if per[k] is None:
                    continue
                pos_k, off_k, cnt_k = per[k]
                d = np.flatnonzero((cnt_i > 0) & (cnt_k > 0))
                if len(d) == 0:
                    continue
                ci, ck = cnt_i[d], cnt_k[d]
                n = ci * ck
                tot = int(n.sum())
                first = np.zeros(len(d), dtype=np.int64); np.cumsum(n[:-1], out=first[1:])
                r = np.repeat(np.arange(len(d)), n)
                within = np.arange(tot) - first[r]
                ckr = ck[r]
                l = within // ckr; pp = within - l * ckr
                a = pos_i[off_i[d][r] + l]; b = pos_k[off_k[d][r] + pp]
                dist = np.abs((a & 0x3FFF).astype(np.int64) - (b & 0x3FFF).astype(np.int64))
                keep = dist != 0
                w = (weights[a[keep] >> 14] * weights[b[keep] >> 14]) * WD[dist[keep]]
                ev_c.append(np.sqrt(w.astype(np.float64)).astype(np.float32))
                ev_doc.append(d[r[keep]])
        res = np.full(M, F32_1E20, dtype=np.float32)   # res < 0 (no pair) -> 1e-20f
        if not ev_doc:
            return res
        ed = np.concatenate(ev_doc); ec = np.concatenate(ev_c)
        o = np.argsort(ed, kind="stable")       # per doc, the C loop order (i, k, l, p)
        ed = ed[o]; ec = ec[o]
        if prune:
            bounds = np.flatnonzero(np.diff(ed)) + 1
            dstart = np.concatenate([[0], bounds])
            dstart_of = np.zeros(len(ed), dtype=np.int64)
            dstart_of[dstart] = dstart
            dstart_of = np.maximum.accumulate(dstart_of)
            idx_in = np.arange(len(ed)) - dstart_of
            big = np.flatnonzero(ec >= BIG)
            t0 = np.full(M, np.iinfo(np.int64).max, dtype=np.int64)
            ud, fi = np.unique(ed[big], return_index=True)
            t0[ud] = idx_in[big[fi]]
            keepm = (idx_in <= t0[ed]) | (ec >= TINY)
            ed = ed[keepm]; ec = ec[keepm]
        bounds = np.flatnonzero(np.diff(ed)) + 1
        starts = np.concatenate([[0], bounds]); docs = ed[starts]
        lens = np.diff(np.concatenate([starts, [len(ed)]]))
        res[docs] = ec[starts]
        order = np.argsort(-lens, kind="stable")
        docs_o, starts_o, lens_o = docs[order], starts[order], lens[order]
        maxlen = int(lens_o[0])
        neg = -lens_o
        for tt in range(1, maxlen):
            k = int(np.searchsorted(neg, -(tt + 1), side="right"))
            dd = docs_o[:k]
            c = ec[starts_o[:k] + tt].astype(np.float64)
            res[dd] = (1.0 - (1.0 - res[dd].astype(np.float64)) * (1.0 - c)).astype(np.float32)
        return res
