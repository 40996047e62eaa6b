"""The word dictionary typo tolerance reads (PostgreSQL only): `catalog_searchword` holds every
distinct word of the SKUs' names with the number of search documents that hold it, and a
trigram index on the word (migration catalog.0008).

When a search finds nothing, each query word the dictionary does not know is looked up there
(`corrections`): its closest dictionary words by trigram similarity, most similar first, then
most frequent. The search then runs again as a normal full-text search in which that word may
be any of them. A dictionary of a few thousand words answers in a millisecond, where trigram
similarity over 200,000 names had to walk the long posting lists of common trigrams.

`refresh_documents` keeps the dictionary in step in the caller's transaction: the documents
to rewrite are locked (in variant order) and their old words read, and after the rewrite each
word's count moves by the difference (word rows changed in word order, so two writers cannot
deadlock). Rewriting every document (`manage.py reindex`) recounts it from scratch.
"""

import re
from dataclasses import dataclass

from django.db import connection

# A word is a run of letters of at least this length (shorter ones have too few trigrams to
# compare; words with digits are codes, matched by the SKU conditions instead).
MIN_WORD_LENGTH = 3
# Trigram similarity (0..1) a dictionary word needs to stand in for a query word, and how many
# stand-ins at most, the most similar first. One wrong letter in a six-letter word gives 0.4.
MIN_SIMILARITY = 0.3
MAX_CORRECTIONS = 3

# The words of a document: its text is "SKU names…" (documents.py), so the names start after
# the SKU and a space. Lowercased, split at anything but letters and digits.
_WORDS_OF = (
    "SELECT DISTINCT w.word FROM regexp_split_to_table(lower(substr({text}, length({sku}) + 2)), '[^[:alnum:]]+') AS w(word) "
    f"WHERE length(w.word) >= {MIN_WORD_LENGTH} AND w.word !~ '[[:digit:]]'"
)

REBUILD = f"""
INSERT INTO catalog_searchword (word, documents)
SELECT x.word, COUNT(*) FROM catalog_searchdocument d
CROSS JOIN LATERAL ({_WORDS_OF.format(text="d.text", sku="d.sku")}) AS x
GROUP BY x.word
ORDER BY x.word
"""

_LOCK_OLD = """
SELECT variant_id, sku, text FROM catalog_searchdocument WHERE variant_id = ANY(%s) ORDER BY variant_id FOR UPDATE
"""

# Old words count -1 per document, new words +1; only the words whose count moves are written.
# (A word new to the dictionary with a negative sum can only come from documents written past
# the services; lookups read counts above 0 only, and a rebuild recounts.)
_MOVE = f"""
INSERT INTO catalog_searchword AS s (word, documents)
SELECT x.word, SUM(x.n) FROM (
    SELECT w.word, -1 AS n FROM unnest(%s::text[], %s::text[]) AS o(sku, text)
    CROSS JOIN LATERAL ({_WORDS_OF.format(text="o.text", sku="o.sku")}) AS w
    UNION ALL
    SELECT w.word, 1 FROM catalog_searchdocument d
    CROSS JOIN LATERAL ({_WORDS_OF.format(text="d.text", sku="d.sku")}) AS w
    WHERE d.variant_id = ANY(%s)
) AS x
GROUP BY x.word
HAVING SUM(x.n) <> 0
ORDER BY x.word
ON CONFLICT (word) DO UPDATE SET documents = GREATEST(s.documents + EXCLUDED.documents, 0)
"""

_LOOKUP = """
SELECT t.token, c.word FROM unnest(%s::text[]) WITH ORDINALITY AS t(token, position)
LEFT JOIN LATERAL (
    SELECT s.word, similarity(s.word, t.token) AS closeness, s.documents FROM catalog_searchword s
    WHERE s.word %% t.token AND s.documents > 0 AND similarity(s.word, t.token) >= %s
    ORDER BY closeness DESC, s.documents DESC, s.word
    LIMIT %s
) AS c ON true
WHERE NOT EXISTS (SELECT 1 FROM catalog_searchword k WHERE k.word = t.token AND k.documents > 0)
ORDER BY t.position, c.closeness DESC, c.documents DESC, c.word
"""

_TOKEN = re.compile(r"[^\W_]+")


def query_words(text: str) -> list[str]:
    """The words of a search text as the dictionary splits names: lowercase letters and digits."""
    return _TOKEN.findall(text.lower())


def is_dictionary_word(word: str) -> bool:
    return len(word) >= MIN_WORD_LENGTH and not any(c.isdigit() for c in word)


@dataclass(frozen=True)
class Corrections:
    """Per word of the search text, the words it may stand for: itself first, then the
    dictionary's closest words when it is not a dictionary word itself."""

    words: tuple[tuple[str, ...], ...]

    @property
    def changed(self) -> bool:
        return any(len(alternatives) > 1 for alternatives in self.words)


def corrections(text: str) -> Corrections:
    """Look up the words the dictionary does not know (one query; none if every word is a
    code, short, or known)."""
    words = query_words(text)
    unknown = sorted({w for w in words if is_dictionary_word(w)})
    found: dict[str, list[str]] = {}
    if unknown:
        with connection.cursor() as cursor:
            cursor.execute(_LOOKUP, [unknown, MIN_SIMILARITY, MAX_CORRECTIONS])
            for token, word in cursor.fetchall():
                if word is not None and word != token:
                    found.setdefault(token, []).append(word)
    return Corrections(tuple((w, *found.get(w, ())) for w in words))


def lock_old_words(variant_ids: list[int]) -> tuple[list[str], list[str]]:
    """Lock these documents (variant order) and return their SKUs and texts as they are now."""
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_OLD, [variant_ids])
        rows = cursor.fetchall()
    return [r[1] for r in rows], [r[2] for r in rows]


def move_counts(old_skus: list[str], old_texts: list[str], variant_ids: list[int]) -> None:
    """After these documents were rewritten: each word's count moves by new minus old."""
    with connection.cursor() as cursor:
        cursor.execute(_MOVE, [old_skus, old_texts, variant_ids])


def rebuild() -> None:
    """Recount the whole dictionary from the documents (after rewriting all of them)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_searchword")
        cursor.execute(REBUILD)
