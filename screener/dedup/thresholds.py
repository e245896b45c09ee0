"""Every number the dedup rule compares against, each with its reason.

Title similarities are Indel similarities of the compact normalised titles in [0, 1] (see
:func:`screener.dedup.evidence.title_similarity`); author shares are the share of the shorter
author list found in the longer one. The labelled sets in ``bench/bench_dedup.py`` and
``tests/dedup/test_dedup_labelled.py`` pin what these values give: change one only with both.
"""

from __future__ import annotations

# --- titles --------------------------------------------------------------------------------------
EXACT_TITLE = 0.99  # the same title to a character or two: one text, if all else agrees
SAME_TITLE = 0.97  # one title typed twice (case, punctuation, a letter or two differ)
CLOSE_TITLE = 0.95  # close enough that one conflicting detail may be a typing error
NEAR_TITLE = 0.9  # worth a person's look; merges only with strong support besides
RELATED_TITLE = 0.8  # below this, two titles are two works unless one full citation says not
LONG_TITLE = 30  # characters: a title this long is unlikely to be shared by two works
LONG_TITLE_FOR_PAGE_TYPO = 40  # characters: long enough to outvote a mistyped page
CONTAINED_TITLE = 20  # characters: a shorter title inside a longer one must be this long

# --- authors -------------------------------------------------------------------------------------
FAMILY_NAME = 0.8  # family names this alike are one name (a letter lost or mistyped)
AUTHORS_HALF = 0.5  # with agreeing first authors, half the list sharing is agreement
AUTHORS_MOST = 0.75  # most of the list: agreement even when the first author was mangled
AUTHORS_FEW = 0.34  # under a third shared, with different first authors: other people
MANY_AUTHORS = 3  # lists this long agree on most of the list alone
SOME_AUTHORS = 2  # lists this long agree when every author is shared

# --- other fields --------------------------------------------------------------------------------
YEAR_SLACK = 1  # print year against online year, or a meeting's against its proceedings'
JOURNAL_ALIKE = 80  # token-set ratio (0-100): a name this alike may be the same journal
ABSTRACT_LENGTH = 100  # characters: shorter abstracts say too little to compare
ABSTRACT_ALIKE = 0.9  # similarity of the first 300 characters: the same abstract
SOME_SUPPORT = 2  # agreeing details (authors, year, journal, volume, issue, page, abstract)
STRONG_SUPPORT = 3  # ... enough to merge a near title or a short one

# --- Chinese against English records --------------------------------------------------------------
TRANSLATED_TITLE = 0.85  # a translated title this alike counts as evidence
TRANSLATED_TITLE_CLOSE = 0.95  # a translated title this alike is enough for a person's look
CROSS_LANGUAGE_EVIDENCE = 2  # pieces of evidence (title, details, authors) for a look

# --- scores given where the titles say little -----------------------------------------------------
IDENTIFIER_SCORE = 0.99  # a shared DOI, PMID or PMCID
CITATION_SCORE = 0.9  # one full citation under different or contained titles
