"""Shared parts of the posting-list prototype (bench/postings/README.md)."""
import math
import os

import numpy as np

# The tsquery reader is the plugin's own (quebec_search's posting-list read).
from ckanext.quebec.search.postings_query import either_of, parse as parse_tsquery, rank_items

# The database of a `bench/search.py --sizes 100000` run (its stack's port).
DSN = os.environ.get("QUEBEC_POSTINGS_DSN", "postgresql://ckan:ckan@127.0.0.1:5499/ckan_bench")
# The key of the segment an anonymous visitor sees (public, active, site test.ckan.net):
# hashtextextended() of its signature, the same in every bench catalogue.
VISIBLE = [3275561709979710968]

# tsrank.c: static const float weights[] = {0.1f, 0.2f, 0.4f, 1.0f};  index = WEP_GETWEIGHT (D=0 .. A=3)
W_DEFAULT = np.array([0.1, 0.2, 0.4, 1.0], dtype=np.float32)
W_EQUAL = np.array([1, 1, 1, 1], dtype=np.float32)
PI2_6 = 1.64493406685  # double constant in calc_rank_or
MAXENTRYPOS = 1 << 14


def word_distance_table():
    """tsrank.c word_distance(w) for w = 0..MAXENTRYPOS (float4), with libm exp as PostgreSQL."""
    t = np.empty(MAXENTRYPOS + 1, dtype=np.float32)
    for w in range(MAXENTRYPOS + 1):
        if w > 100:
            t[w] = np.float32(1e-30)
        else:
            t[w] = np.float32(1.0 / (1.005 + 0.05 * math.exp(float(np.float32(w)) / 1.5 - 2)))
    return t


def rank_or_numerators(npos, vals, weights):
    """Per tsvector entry (npos positions each, vals = WordEntryPos raw uint16 flat),
    the float4 numerator  wjm + resj - wjm/((jm+1)^2)  of calc_rank_or, exactly as C computes it."""
    n = len(npos)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(npos[:-1], out=starts[1:])
    w_all = weights[(vals >> 14).astype(np.int64)]
    resj = np.zeros(n, dtype=np.float32)
    wjm = np.full(n, -1.0, dtype=np.float32)
    jm = np.zeros(n, dtype=np.int64)
    order = np.argsort(-npos, kind="stable")  # longest first: active set is a prefix
    npos_sorted = npos[order]
    maxn = int(npos.max()) if n else 0
    for j in range(maxn):
        k = int(np.searchsorted(-npos_sorted, -(j + 1), side="right"))  # entries with npos > j
        idx = order[:k]
        w = w_all[starts[idx] + j]
        resj[idx] = resj[idx] + w / np.float32((j + 1) * (j + 1))
        better = w > wjm[idx]
        bi = idx[better]
        wjm[bi] = w[better]
        jm[bi] = j
    den = ((jm + 1) * (jm + 1)).astype(np.float32)
    return (wjm + resj) - wjm / den


def slug(text):
    import re, unicodedata
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9_]+", "-", folded.lower()).strip("-")


SUBJECTS = [("pistes cyclables", "bike paths"), ("zones inondables", "flood zones"),
            ("écoles primaires", "primary schools"), ("budget municipal", "municipal budget"),
            ("qualité de l'air", "air quality"), ("arbres publics", "public trees"),
            ("collisions routières", "road collisions"), ("bornes de recharge", "charging stations"),
            ("stationnements", "parking lots"), ("permis de construction", "building permits"),
            ("bibliothèques", "libraries")]
PLACES = ["Montréal", "Laval", "Québec", "Gatineau", "Sherbrooke", "Longueuil", "Lévis",
          "Trois-Rivières", "Saguenay", "Rimouski"]


def queries(n=40, seed=7):
    import random
    pool = [f"{s} {p}" for pair in SUBJECTS for s in pair for p in PLACES]
    pool = [q for q in pool if 3 <= len(q.split()) <= 4]
    rng = random.Random(seed)
    rng.shuffle(pool)
    return pool[:n]


def required_of(nwords):
    # CKAN's mm "2<-1 5<80%": 3-5 optional words -> all but one
    return nwords - 1 if 3 <= nwords <= 5 else nwords
