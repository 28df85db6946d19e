"""Exactness: posting reader vs the reference statement (both partitions), for the 40 queries.
Also, per query, every matched document's R1..R4 and score against PostgreSQL's own values."""
import json, sys
import numpy as np
from common import queries, VISIBLE
from reader import Reader
from reference import Reference, lit, TITLE

MODE = next((a.split("=")[1] for a in sys.argv if a.startswith("--mode=")), "full")
R = Reader(mode=MODE); F = Reference()
print("reader mode", MODE)
cur = R.conn.cursor()
summary = []
deep = "--deep" in sys.argv
for q in queries():
    a = R.search(q, VISIBLE, want_ranks=deep)
    b = F.search(q, VISIBLE)
    ids_a = [t[0] for t in a["top"]]; ids_b = [t[0] for t in b["top"]]
    sc = max((abs(x[1] - y[1]) for x, y in zip(a["top"], b["top"])), default=0.0)
    exact_scores = all(x[1] == y[1] for x, y in zip(a["top"], b["top"]))
    row = {"q": q, "count": [a["count"], b["count"]], "count_ok": a["count"] == b["count"],
           "facets_ok": a["facets"] == b["facets"], "top_ok": ids_a == ids_b,
           "max_score_diff": sc, "scores_bitwise": exact_scores}
    if deep:
        # PostgreSQL's per-document ranks for every matched doc (both partitions)
        words = q.split()
        orq = "(" + " || ".join(f"quebec_search_words({lit(w)})" for w in words) + ")"
        cur.execute(f"""SELECT p.docnum, ts_rank(d.search_text, {orq}), ts_rank(d.search_text, quebec_search_all_words({lit(q)})),
                               ts_rank(d.search_text_en, {orq}), ts_rank('{{1,1,1,1}}', d.search_text, {orq})
                        FROM quebec_search_document d JOIN proto_doc p USING (index_id)
                        WHERE p.docnum = ANY(%s) ORDER BY p.docnum""", (a["ranks"]["docs"].tolist(),))
        rows = cur.fetchall()
        pg = np.array([r[1:] for r in rows], dtype=np.float64).astype(np.float32)
        mine = np.stack([a["ranks"][k] for k in ("r1", "r2", "r3", "r4")], axis=1)
        assert [r[0] for r in rows] == a["ranks"]["docs"].tolist()
        row["rank_mismatches_r1_r2_r3_r4"] = [int((pg[:, j] != mine[:, j]).sum()) for j in range(4)]
        # R2 again, without the pruning of no-op events
        a2 = R.search(q, VISIBLE, want_ranks=True, prune=False)
        row["r2_prune_vs_full_diff"] = int((a2["ranks"]["r2"] != a["ranks"]["r2"]).sum())
    summary.append(row)
    print(json.dumps(row, ensure_ascii=False), flush=True)
ok = sum(r["count_ok"] and r["facets_ok"] and r["top_ok"] for r in summary)
print(f"{ok}/{len(summary)} queries exact (count, facets, top-21 ids)")
print("all top-21 scores bitwise equal:", all(r["scores_bitwise"] for r in summary))
json.dump(summary, open("postings-check-%s%s.json" % (MODE, "_deep" if deep else ""), "w"),
          indent=1, ensure_ascii=False)
