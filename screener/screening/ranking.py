"""Relevance ranking for title/abstract screening: text features and a linear classifier.

One model, used alike by the TUI (through ``screener.flows.ranking``) and by ``screener
simulate``: :class:`Features` turns records' text into TF-IDF vectors, :func:`score` trains on
the labelled rows and scores every row, :func:`retrain_due` says when to train again and
:func:`ranked` orders rows by score.

The choice, measured with the replay of ``screener.screening.simulation`` (priors 1 include +
1 exclude, the same priors as ASReview LAB's runs, WSS@95 on Nagtegaal 2019, Bannach-Brown
2019 and the seven Cohen 2006 sets; ``bench/bench_ranking.py`` prints the final figures):

* **Features.** Word unigrams and bigrams (sublinear tf, smoothed idf, l2 rows; terms in more
  than 95% of records weigh nothing) over title, abstract and keywords, plus character 3- to
  5-grams within words of the title and keywords, weighted 0.3 (they match spelling variants
  and stems: "randomised"/"randomized", "nudges"/"nudging"). At full weight the character
  n-grams raised WSS@95 on Bannach-Brown and ADHD by 0.05 to 0.14 but cost 0.04 to 0.26 on
  Nagtegaal and Triptans; at 0.3 the mean over the nine sets was the best of the weights tried
  (0, 0.15, 0.3, 1). Terms are hashed (2**20 buckets; collisions are negligible at that size)
  so that records can be added without refitting a vocabulary, and term frequencies are kept as
  float16: 100,000 records of 200-word abstracts take about 270 MB; idf and row norms are
  recomputed from the kept frequencies when records are added.
* **Classifier.** A linear support vector machine (scikit-learn ``LinearSVC``, squared hinge,
  C = 0.1) whose include class is weighted up: each include weighs ``include_weight`` (10)
  times what a class-balanced weight would give it. Early in a review there are one or two
  includes against many excludes; a balanced weight alone lets the excludes win and the
  includes' own words carry too little. Logistic regression (liblinear, the same weights) ranked
  worse on six of the nine sets (mean WSS@95 0.387 against 0.402, one seed); C = 0.3 and an
  include weight of 3 did no better. The SVM with a strong include weight is also what ASReview
  LAB's default model (ELAS u4) uses.
* **Retraining.** After every decision up to 20,000 records (:func:`retrain_due`): batching
  from 100 labels on cost 0.02 to 0.03 of WSS@95 on OralHypoglycemics and Nagtegaal.
* **Determinism.** LinearSVC's dual coordinate descent shuffles with ``random_state``; the seed
  is fixed by :class:`RankingSettings`, so one review's decisions give one ranking.

What else was measured (5 seeds, the bench's priors; mean WSS@95 minus ASReview's on the nine
sets, Nagtegaal first). No variant is at least ASReview on every set, and none beats this
model's sum over the sets (+0.073; it leads on Bannach-Brown by 0.075, ADHD 0.034, Estrogens
0.041, and trails on Nagtegaal by 0.063, OralHypoglycemics 0.024, Triptans 0.005):

* word n-grams only (ASReview's own settings, hashed into 2**20): sum +0.008, within ±0.013 of
  ASReview on every set (Nagtegaal −0.007, ADHD −0.006, UrinaryIncontinence −0.013): a replica,
  as expected, that wins or loses each set by chance;
* character weight 0.1 / 0.05: Nagtegaal −0.034 / −0.038, UrinaryIncontinence −0.014 / −0.017;
* word and character blocks normalised apart (character weight 0.3): Triptans −0.080;
* the two models' z-scored values averaged: Nagtegaal −0.046, the gains elsewhere halved;
* Thompson sampling between the two models' top records: Nagtegaal −0.030;
* 100 random unscreened records as presumed excludes (Cormack & Grossman's BMI): Nagtegaal
  −0.028, OralHypoglycemics −0.031;
* terms of a single record given no weight (min_df 2): ADHD +0.082, UrinaryIncontinence +0.043
  and NSAIDS +0.024, but Nagtegaal −0.063, OralHypoglycemics −0.036, Triptans −0.026 (word
  n-grams alone with min_df 2: Estrogens −0.041, Nagtegaal −0.045).

Nagtegaal is sensitive to changes that should not matter: word n-grams alone gave 0.693, 0.722
and 0.717 with 2**19, 2**20 and 2**22 hash buckets (ASReview 0.729), every seed moving the same
way; the Cohen sets moved by under 0.005. A 5-seed mean per set therefore decides "at least
ASReview" on sets where both tools are close by a margin of the same size as that noise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

__all__ = [
    "CHUNK",
    "Features",
    "RankingSettings",
    "ranked",
    "record_text",
    "retrain_due",
    "score",
]

CHUNK = 2_048
"""Records vectorised (and kept) per block: bounds the memory a build needs beyond the result."""


@dataclass(frozen=True, slots=True)
class RankingSettings:
    """The model's settings; the defaults are screener's model (see the module docstring)."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] | None = (3, 5)
    char_weight: float = 0.3
    char_analyzer: str = "char_wb"
    max_df: float = 0.95
    classifier: str = "svm"
    buckets: int = 2**20
    c: float = 0.1
    include_weight: float = 10.0
    seed: int = 0


def record_text(title: str, abstract: str, keywords: Iterable[str] = ()) -> tuple[str, str]:
    """(all text, short text) of a record: title + abstract + keywords for the word features,
    title + keywords for the character features."""
    words = " ".join(k for k in keywords if k)
    return f"{title} {abstract} {words}", f"{title} {words}"


def _vectorizers(settings: RankingSettings) -> tuple[Any, Any | None]:
    from sklearn.feature_extraction.text import HashingVectorizer

    half = settings.buckets // 2 if settings.char_ngrams is not None else settings.buckets
    word = HashingVectorizer(
        n_features=half,
        ngram_range=settings.word_ngrams,
        norm=None,
        alternate_sign=False,
        dtype=np.float32,
    )
    char = None
    if settings.char_ngrams is not None:
        char = HashingVectorizer(
            n_features=half,
            analyzer=settings.char_analyzer,
            ngram_range=settings.char_ngrams,
            norm=None,
            alternate_sign=False,
            dtype=np.float32,
        )
    return word, char


@dataclass
class Features:
    """Term counts of records (rows), with the idf and row norms that make them TF-IDF.

    Rows are kept in blocks (one per :meth:`append`, at most :data:`CHUNK` rows each) with their
    sublinear term frequencies as float16 (half the memory of float32; 1 + log(count) needs no
    more precision), turned to float32 one block at a time when used, so that no step copies
    the whole matrix. ``ids`` holds each row's record id; :meth:`add` appends records and
    :meth:`finish` (called by :meth:`add`) recomputes the idf and row norms.
    """

    settings: RankingSettings = field(default_factory=RankingSettings)
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    blocks: list[sparse.csr_matrix] = field(default_factory=list)
    df: np.ndarray | None = None
    idf: np.ndarray | None = None
    norms: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def add(self, ids: Sequence[int], texts: Sequence[tuple[str, str]]) -> None:
        """Vectorise and append records (``texts`` from :func:`record_text`)."""
        self.append(ids, texts)
        self.finish()

    def append(self, ids: Sequence[int], texts: Sequence[tuple[str, str]]) -> None:
        """Vectorise and append records, leaving idf and norms for :meth:`finish` (so a caller
        reading records in batches recomputes them once)."""
        from scipy import sparse

        if not len(ids):
            return
        word, char = _vectorizers(self.settings)
        if self.df is None:
            self.df = np.zeros(self.settings.buckets, dtype=np.int64)
        for start in range(0, len(ids), CHUNK):
            part = texts[start : start + CHUNK]
            counts = word.transform([t[0] for t in part])
            counts.sum_duplicates()
            counts.data = 1.0 + np.log(counts.data, dtype=np.float32)  # sublinear tf
            if char is not None:
                chars = char.transform([t[1] for t in part])
                chars.sum_duplicates()
                chars.data = (1.0 + np.log(chars.data, dtype=np.float32)) * np.float32(
                    self.settings.char_weight
                )
                counts = sparse.hstack([counts, chars], format="csr", dtype=np.float32)
            self.df += np.bincount(counts.indices, minlength=self.settings.buckets)
            counts.data = counts.data.astype(np.float16)
            self.blocks.append(counts)
        self.ids = np.concatenate([self.ids, np.asarray(ids, dtype=np.int64)])

    def finish(self) -> None:
        """Recompute the idf (smoothed, as scikit-learn's) and every row's TF-IDF norm."""
        if self.df is None:
            return
        n = len(self)
        self.idf = (np.log((1.0 + n) / (1.0 + self.df)) + 1.0).astype(np.float32)
        if self.settings.max_df < 1.0:  # terms in nearly every record weigh nothing
            self.idf[self.df > self.settings.max_df * n] = 0.0
        idf2 = self.idf**2
        norms = []
        for block in self.blocks:
            squared = _as32(block)
            squared.data **= 2
            norms.append(np.sqrt(squared @ idf2))
        self.norms = np.maximum(np.concatenate(norms), 1e-12).astype(np.float32)

    def rows(self, positions: np.ndarray) -> sparse.csr_matrix:
        """TF-IDF rows (l2-normalised) at ``positions``, in that order."""
        from scipy import sparse

        assert self.idf is not None
        found = []
        starts = np.cumsum([0] + [b.shape[0] for b in self.blocks])
        for index, block in enumerate(self.blocks):
            inside = (positions >= starts[index]) & (positions < starts[index + 1])
            if inside.any():
                found.append(
                    (np.flatnonzero(inside), _as32(block)[positions[inside] - starts[index]])
                )
        order = np.concatenate([where for where, _ in found])
        stacked = sparse.vstack([rows for _, rows in found], format="csr")
        back = np.empty_like(order)
        back[order] = np.arange(order.shape[0])
        picked = stacked[back].astype(np.float64)
        # TF-IDF in place: each count times its term's idf, each row over its norm
        picked.data *= self.idf[picked.indices]
        picked.data /= np.repeat(self.norms[positions], np.diff(picked.indptr))
        return picked

    def decision(self, coef: np.ndarray, intercept: float) -> np.ndarray:
        """The linear model's value for every row: the TF-IDF row times ``coef``, plus
        ``intercept``; computed block by block on the kept counts."""
        assert self.idf is not None
        weights = (coef * self.idf).astype(np.float32)
        values = np.concatenate([_as32(block) @ weights for block in self.blocks])
        return np.asarray(values / self.norms + intercept, dtype=np.float64)


def _as32(block: sparse.csr_matrix) -> sparse.csr_matrix:
    """A kept block with float32 values (its index arrays shared, not copied)."""
    from scipy import sparse

    return sparse.csr_matrix(
        (block.data.astype(np.float32), block.indices, block.indptr), shape=block.shape, copy=False
    )


def score(
    features: Features, positions: Sequence[int] | np.ndarray, labels: Sequence[bool] | np.ndarray
) -> np.ndarray:
    """Train on the rows at ``positions`` (True: include) and score every row of ``features``.

    Scores are in (0, 1), higher is more likely relevant: the logistic of the SVM's decision
    value (a display scale, not a calibrated probability). Needs at least one include and one
    exclude.
    """
    from scipy import sparse

    y = np.asarray(labels, dtype=bool)
    n_in, n_out = int(y.sum()), int((~y).sum())
    if not n_in or not n_out:
        raise ValueError("ranking needs at least one include and one exclude")
    settings = features.settings
    x = features.rows(np.asarray(positions, dtype=np.int64))
    # Only the terms of the labelled records can get a weight: fitting on those columns alone
    # gives the same model, on a far smaller weight vector.
    columns, x.indices = np.unique(x.indices, return_inverse=True)
    x = sparse.csr_matrix((x.data, x.indices, x.indptr), shape=(x.shape[0], len(columns)))
    # A balanced weight gives each class half the total weight; includes get include_weight
    # times their balanced share (normalised so the weights sum to the number of rows).
    weight = np.where(y, settings.include_weight * len(y) / (2 * n_in), len(y) / (2 * n_out))
    weight *= len(y) / weight.sum()
    model = _classifier(settings)
    model.fit(x, y, sample_weight=weight)
    coef = np.zeros(settings.buckets)
    coef[columns] = model.coef_.ravel()
    values = features.decision(coef, float(model.intercept_[0]))
    return np.asarray(1.0 / (1.0 + np.exp(-values)), dtype=np.float64)


def _classifier(settings: RankingSettings) -> Any:
    """The linear classifier ``settings.classifier`` names (svm, the default; the others are
    kept for the comparison in bench/bench_ranking.py's notes)."""
    if settings.classifier == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(
            C=settings.c * 100, solver="liblinear", random_state=settings.seed
        )
    from sklearn.svm import LinearSVC

    return LinearSVC(C=settings.c, loss="squared_hinge", random_state=settings.seed, max_iter=5_000)


def ranked(scores: np.ndarray) -> np.ndarray:
    """Row positions from the highest score to the lowest; ties keep row order (stable)."""
    return np.argsort(-scores, kind="stable")


CHEAP = 20_000
"""Up to this many records, retraining (about 0.1 s here) follows every decision."""


def retrain_due(labelled: int, at_last_training: int | None, records: int = 0) -> bool:
    """Whether a model trained on ``at_last_training`` labels should be trained again now that
    there are ``labelled``, in a review of ``records`` records: after every decision while that
    is cheap (up to :data:`CHEAP` records, or 100 labels), then whenever the labels have grown by
    2% (every 2 decisions at 100 labels, every 20 at 1,000): retraining costs time in proportion
    to the records, and the early decisions change the ranking most."""
    if at_last_training is None:
        return True
    grown = abs(labelled - at_last_training)
    if records <= CHEAP or labelled <= 100:
        return grown > 0
    return grown >= math.ceil(0.02 * labelled)
