"""dismax's minimum match (``mm``) as one tsquery, each word's tsquery made once.

``mm`` asks for k of a query's n words: the OR of every k-word AND, one
tsquery the text index answers (lucene.py). Written out in SQL, each word's
``quebec_search_words()`` appeared once per combination it is part of, and
the planner made each of those once: 12 ms of planning for 10 words at
100,000 datasets. This function builds the same tsquery from the words'
tsqueries, made once each; a query of constants is folded once by the
planner.

Revision ID: 0016_at_least_query
Revises: 0015_sort_index_signature_key
Create Date: 2026-12-05

"""
from alembic import op

revision = "0016_at_least_query"
down_revision = "0015_sort_index_signature_key"
branch_labels = None
depends_on = None

# Re-runnable, as 0001: CKAN's test fixtures drop tables but keep functions.
UPGRADE = [
    # The OR of the AND of every ``required`` of ``queries``, in order:
    # (q1 && q2) || (q1 && q3) || ... An empty tsquery (a term of stop words
    # only, which matches everything as Solr drops it) counts as matched:
    # ``&&`` leaves it out of a combination, and when ``required`` of them
    # are empty the result is empty, which matches everything.
    """
    CREATE OR REPLACE FUNCTION quebec_search_at_least(queries tsquery[], required integer)
    RETURNS tsquery LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
    DECLARE
      total integer := coalesce(array_length(queries, 1), 0);
      chosen integer[];
      combined tsquery := '';
      part tsquery;
      position integer;
    BEGIN
      IF required < 1 OR required > total THEN
        RAISE EXCEPTION 'quebec_search_at_least: % of % terms', required, total;
      END IF;
      IF (SELECT count(*) FROM unnest(queries) AS q WHERE numnode(q) = 0) >= required THEN
        RETURN '';
      END IF;
      chosen := ARRAY(SELECT generate_series(1, required));
      LOOP
        part := queries[chosen[1]];
        FOR position IN 2 .. required LOOP
          part := part && queries[chosen[position]];
        END LOOP;
        combined := combined || part;
        -- The next combination, in lexicographic order.
        position := required;
        WHILE position >= 1 AND chosen[position] = total - required + position LOOP
          position := position - 1;
        END LOOP;
        EXIT WHEN position < 1;
        chosen[position] := chosen[position] + 1;
        FOR later IN position + 1 .. required LOOP
          chosen[later] := chosen[later - 1] + 1;
        END LOOP;
      END LOOP;
      RETURN combined;
    END
    $$
    """,
]
DOWNGRADE = [
    "DROP FUNCTION IF EXISTS quebec_search_at_least(tsquery[], integer)",
]


def upgrade():
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE:
        op.execute(statement)
