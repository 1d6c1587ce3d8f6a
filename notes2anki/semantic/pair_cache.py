"""Candidate pairs of cards and their measurements, reused across runs (issue 13, "incremental").

:func:`candidate_pairs` finds the pairs worth judging; :func:`mine_cached` reuses them (and the cards'
local densities) when the vault's card texts and vectors are the same as a run before; :func:`judge_cached`
measures (:func:`~notes2anki.semantic.scoring.measure`) only the pairs not measured before. Both keep what
they found in the embedding cache (:class:`~notes2anki.semantic.cache.PairVerdictCache`), so a warm run of an
unchanged vault mines and measures nothing, and an edited card is measured against its candidates (and the
pairs of cards whose nearest neighbours it joined or left, whose density margin changed). The cache holds
each pair's feature row, not its probability: the pair model and the threshold are applied after, so a refit
model or another ``--threshold`` needs no re-measuring. Results are the same as without the cache.
"""
from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Sequence

import numpy as np

from notes2anki.semantic import (candidate_search, char_mining, chargram_memo, contrast, incremental_mining, local_density,
                                  mining, pair_cues, pair_features, pair_model, quantities, term_align, token_align,
                                  token_states, word_match)
from notes2anki.semantic.candidate_search import (_char_neighbours, _exact_pairs_and_density,  # noqa: F401
                                                  _mixed_char_neighbours, candidate_pairs)
from notes2anki.fileio import atomic_write
from notes2anki.semantic.cache import EmbeddingCache, PairVerdictCache
from notes2anki.semantic.pair_features import FEATURES, fill_chars
from notes2anki.semantic.scoring import CANDIDATE_MIN, CHAR_CANDIDATE_MIN, Verdict, measure, verdicts_from_rows
from notes2anki.semantic.text import TEXT_VERSION
from notes2anki.memo_file import dumps as memo_dumps, read_pickle


def _code_version() -> str:
    """Hash of the code that measures a pair (pair_features.py, local_density.py, pair_cues.py, contrast.py, term_align.py,
    word_match.py, quantities.py, token_align.py, token_states.py; read once, as it was imported) and of the shipped pair
    model (which pairs get ``ctx_diff``: scoring.fill_context): an edit there re-measures."""
    return _source_hash((pair_features, local_density, pair_cues, contrast, term_align, word_match, quantities,
                         token_align, token_states)) + pair_model.digest()


@lru_cache(maxsize=4)
def _source_hash(modules: tuple) -> str:
    digest = hashlib.sha256()
    for module in modules:
        try:
            digest.update(Path(module.__file__).read_bytes())
        except OSError:
            digest.update(module.__name__.encode())
    return digest.hexdigest()[:16]


def verdict_kind(model_key: str) -> str:
    """The :class:`~notes2anki.semantic.cache.PairVerdictCache` kind of measured duplicate pairs: the
    embedding model, TEXT_VERSION, the feature list and the measuring code. The pair model and threshold are
    not in it: the cache holds the pair's feature row, which the pair model turns into a probability."""
    return f"dupes-features:{model_key}:{TEXT_VERSION}:{pair_features.FEATURE_VERSION}:{len(FEATURES)}:{_code_version()}"


def side_keys(enc, is_covered: Sequence[bool], only: Sequence[int] | None = None) -> list[str]:
    """Per side of ``enc`` (``only``: these indices, in order): a hash of everything its pair features read —
    its identity (:func:`~notes2anki.semantic.incremental_mining.side_identity`: its three texts, whether the
    model reads it, its card and question vectors; computed once per check), whether it is a Cloze card, its
    file (``same_note``), its answer vector and its two local densities (which depend on its neighbours in
    the vault: a card whose neighbourhood changed is measured again)."""
    indices = range(len(enc.sides)) if only is None else only
    identities = incremental_mining.side_identity(enc, is_covered, only)
    answer = np.ascontiguousarray(enc.answer)
    densities = np.ascontiguousarray(np.stack([np.asarray(enc.density_card, dtype=np.float64),
                                               np.asarray(enc.density_q, dtype=np.float64)], axis=1))
    keys = []
    for i, identity in zip(indices, identities):
        side = enc.sides[i]
        digest = hashlib.sha256(f"{identity}\x1f{side.cloze}\x1f{getattr(side, 'note', '')}".encode(
            "utf-8", "surrogatepass"))
        digest.update(answer[i].data)
        digest.update(densities[i].data)
        keys.append(digest.hexdigest())
    return keys


def mine_cached(enc, is_covered: Sequence[bool], top_k: int, cache: EmbeddingCache | None = None,
                where: str = "", store: Path | None = None, stats: "JudgeStats | None" = None) -> list[tuple[int, int]]:
    """:func:`candidate_pairs` and the sides' local densities (set on ``enc``), reused from the file
    ``store`` (None: always computed) when every side has the same texts, coverage and vectors in the same
    order as the run that wrote it: both are O(N²) in the number of cards and depend on the whole vault.
    ``cache`` (an :class:`~notes2anki.semantic.cache.EmbeddingCache`) and ``where`` (e.g. the cards' files)
    only name the row an older version kept them in (see :func:`_read_mining`).

    ``store`` is used by :mod:`~notes2anki.semantic.incremental_mining` (exact search, up to
    :data:`~notes2anki.semantic.mining.ANN_ABOVE` sides): after an edit only the changed sides' rows are
    searched (``stats.searched`` counts them); same pairs and densities."""
    rows = [i for i, c in enumerate(is_covered) if c]
    if store is not None and (len(rows) <= mining.ANN_ABOVE or mining._faiss() is None):
        settings = hashlib.sha256(f"{top_k}:{CANDIDATE_MIN}:{CHAR_CANDIDATE_MIN}:{local_density.DENSITY_K}:"
                                  f"{_source_hash((pair_features, local_density, mining, incremental_mining))}".encode()).hexdigest()
        found, enc.density_card, enc.density_q, done = incremental_mining.mine(
            enc, is_covered, top_k, CANDIDATE_MIN, local_density.DENSITY_K, settings, store)
        if stats is not None:
            stats.searched = done["searched"]
        if not all(is_covered):
            char_settings = hashlib.sha256(f"{top_k}:{CHAR_CANDIDATE_MIN}:{chargram_memo.version()}:"
                                           f"{_source_hash((char_mining,))}".encode()).hexdigest()
            done = {}
            more = char_mining.mixed_neighbours(
                enc.char_card, is_covered, top_k, CHAR_CANDIDATE_MIN, settings=char_settings, stats=done,
                keys=char_mining.row_keys([s.text for s in enc.sides], is_covered),
                path=store.with_name(store.name.replace(".mining.", ".charmining.")))
            if stats is not None:
                stats.char_searched = done["searched"]
            if more:
                n_all = len(enc.sides)
                extra = np.array(sorted(more), dtype=np.int64).reshape(-1, 2)
                found = incremental_mining.unpack(np.concatenate([found[:, 0] * n_all + found[:, 1],
                                                                  extra[:, 0] * n_all + extra[:, 1]]), n_all)
        return list(zip(found[:, 0].tolist(), found[:, 1].tolist()))
    digest = hashlib.sha256(f"{top_k}:{CANDIDATE_MIN}:{CHAR_CANDIDATE_MIN}:{local_density.DENSITY_K}:"
                            f"{_source_hash((pair_features, local_density, mining, candidate_search, char_mining))}".encode())
    for side, c in zip(enc.sides, is_covered):
        digest.update("\x1f".join((side.question, side.answer, side.text, str(c), "\x1e")).encode("utf-8"))
    digest.update(np.ascontiguousarray(enc.card).tobytes())
    digest.update(np.ascontiguousarray(enc.question).tobytes())
    stored = _read_mining(store, digest.hexdigest(), cache, where)
    n = len(enc.sides)
    if stored is not None and len(stored["density_card"]) == n and len(stored["density_q"]) == n:
        enc.density_card = np.asarray(stored["density_card"], dtype=np.float64)
        enc.density_q = np.asarray(stored["density_q"], dtype=np.float64)
        return [(int(i), int(j)) for i, j in np.asarray(stored["pairs"], dtype=np.int64).reshape(-1, 2).tolist()]
    enc.density_card = enc.density_q = None
    pairs = candidate_pairs(enc, is_covered, top_k)  # (sets the densities when it searches exactly)
    if enc.density_card is None or enc.density_q is None:
        enc.density_card = local_density.density(enc.card, rows)
        enc.density_q = local_density.density(enc.question, rows)
    if store is not None:
        data = {"format": MINING_FORMAT, "digest": digest.hexdigest(), "density_card": enc.density_card,
                "density_q": enc.density_q, "pairs": np.array(pairs, dtype=np.int64).reshape(-1, 2)}
        try:
            store.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(store, memo_dumps(data), durable=False)
        except (OSError, pickle.PicklingError):
            pass
    return pairs


MINING_FORMAT = "ann-mining-1"  # (the exact search's incremental file, same name, has format 2)


def _read_mining(store: Path | None, digest: str, cache: EmbeddingCache | None, where: str) -> dict | None:
    """The stored candidate pairs and densities of :func:`mine_cached`'s search over every side (more than
    :data:`~notes2anki.semantic.mining.ANN_ABOVE`): the file ``store`` when it holds ``digest``. They were
    kept as one row of the verdict cache before (kind ``dupes-mining``); such a row is read once, its value
    replaced by null, and used: at 100,000 cards it held 16 MB, and SQLite read every byte of it again for each
    of the million verdict look-ups that share its B-tree pages (a cold build that never got past looking
    up its candidate pairs' measurements)."""
    data = None
    try:
        data = read_pickle(store) if store is not None else None
    except Exception:  # missing, corrupt, another layout: searched again
        data = None
    if cache is not None:
        memo, key = PairVerdictCache(cache, "dupes-mining"), (hashlib.sha256(where.encode("utf-8")).hexdigest(), "mining")
        old = memo.get([key]).get(key)
        if old is not None:
            memo.put({key: None})
            if not (isinstance(data, dict) and data.get("format") == MINING_FORMAT) and isinstance(old, dict):
                data = dict(old, format=MINING_FORMAT)
                if store is not None and data.get("digest") == digest:  # moved to its file
                    try:
                        atomic_write(store, memo_dumps(data), durable=False)
                    except (OSError, pickle.PicklingError):
                        pass
    if not isinstance(data, dict) or data.get("format") != MINING_FORMAT or data.get("digest") != digest:
        return None
    try:
        np.asarray(data["pairs"], dtype=np.int64).reshape(-1, 2)
        return data if len(data["density_card"]) and len(data["density_q"]) else None
    except (KeyError, TypeError, ValueError):
        return None


@dataclass
class JudgeStats:
    """What :func:`judge_cached` did: pairs looked up, found in the cache, measured."""

    candidates: int = 0
    cached: int = 0
    measured: int = 0
    searched: int = 0  # sides whose neighbours were searched (all on a cold run; see mine_cached)
    char_searched: int = 0  # rows searched in full by character n-grams (see char_mining)
    measured_pairs: list = field(default_factory=list)  # (question, question) of each measured pair


def judge_cached(enc, candidates: Sequence[tuple[int, int]], is_covered: Sequence[bool], threshold: float,
                 verdicts: PairVerdictCache | None, stats: JudgeStats | None = None,
                 store: Path | None = None) -> dict[tuple[int, int], Verdict]:
    """:func:`~notes2anki.semantic.scoring.judge_pairs` through the cache of measured pairs: only pairs not
    measured before (by :func:`side_keys`) are measured, and only their sides get character n-grams (when
    every side is covered; else the n-grams were needed for mining already). Same verdicts as judging all.

    ``store``: a file holding the last run's candidate pairs and feature rows (one array): pairs found there
    are not looked up in the embedding cache (100,000 rows read from SQLite took 3 s); only pairs with a
    changed side are."""
    return verdicts_from_rows(list(candidates), measured_rows(enc, candidates, is_covered, verdicts, stats, store),
                              is_covered, threshold)


def measured_rows(enc, candidates: Sequence[tuple[int, int]], is_covered: Sequence[bool],
                  verdicts: PairVerdictCache | None, stats: JudgeStats | None = None,
                  store: Path | None = None) -> np.ndarray:
    """The feature rows (len(candidates) x len(FEATURES)) :func:`judge_cached` judges: from ``store``, the
    cache, or measured (see there)."""
    stats = stats if stats is not None else JudgeStats()
    pairs = list(candidates)
    stats.candidates = len(pairs)
    keys = side_keys(enc, is_covered) if verdicts is not None else []
    rows = np.zeros((len(pairs), len(FEATURES)))
    found, held = _load_rows(store, verdicts.kind, keys, pairs, rows) if store is not None and verdicts is not None \
        else (np.zeros(len(pairs), dtype=bool), None)
    unknown = np.nonzero(~found)[0].tolist()
    known = verdicts.get([(keys[pairs[n][0]], keys[pairs[n][1]]) for n in unknown]) \
        if verdicts is not None and unknown else {}
    missing = []
    for n in unknown:
        i, j = pairs[n]
        row = known.get((keys[i], keys[j])) if verdicts is not None else None
        if isinstance(row, list) and len(row) == len(FEATURES):
            rows[n] = row
        else:
            missing.append(n)
    stats.cached, stats.measured = len(pairs) - len(missing), len(missing)
    if missing:
        if enc.char_q is None or enc.char_q.nnz == 0:  # (the card matrix may be there: fill_card_chars)
            fill_chars(enc, {k for n in missing for k in pairs[n]},
                       card=enc.char_card is None or enc.char_card.nnz == 0)
        for part in checkpoint_parts(pairs, missing):  # measured and stored part by part: a killed run resumes
            rows[part] = measure(enc, [pairs[n] for n in part])
            if verdicts is not None:
                verdicts.put(((keys[pairs[n][0]], keys[pairs[n][1]]), rows[n]) for n in part)  # streamed, as bytes
        stats.measured_pairs = [(enc.sides[pairs[n][0]].question, enc.sides[pairs[n][1]].question) for n in missing]
    if store is not None and verdicts is not None and _rewrite(len(unknown), len(pairs), held):
        _save_rows(store, verdicts.kind, keys, pairs, rows)
    return rows


CHECKPOINT_PAIRS = 20_000  # pairs measured (and stored in the embedding cache) at a time; see checkpoint_parts


def checkpoint_parts(pairs: Sequence[tuple[int, int]], missing: Sequence[int],
                     size: int | None = None) -> list[list[int]]:
    """``missing`` (positions into ``pairs``) cut into parts of at most ``size`` (None:
    :data:`CHECKPOINT_PAIRS`) to be measured one after the other, each part's feature rows stored in the
    embedding cache as soon as it is measured: a cold check that is stopped (Ctrl-C, killed, out of memory,
    a laptop put to sleep) finds the parts done in the cache when run again and measures only the rest
    (a 100,000-card vault: about a million pairs, an hour or more of measuring on two cores).

    Above one part the pairs are taken in the order of the reverse Cuthill-McKee permutation of their
    graph (:func:`scipy.sparse.csgraph.reverse_cuthill_mckee`: each side's pairs lie close together), so a
    part touches few sides and each side's contextual token states (``ctx_diff``), computed per part, are
    computed about once instead of once per part it appears in. The rows do not depend on the order."""
    size = CHECKPOINT_PAIRS if size is None else max(1, size)
    missing = list(missing)
    if len(missing) <= size:
        return [missing] if missing else []
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    ends = np.array([pairs[n] for n in missing], dtype=np.int64).reshape(-1, 2)
    n_sides = int(ends.max()) + 1
    graph = coo_matrix((np.ones(len(ends), dtype=np.int8), (ends[:, 0], ends[:, 1])), shape=(n_sides, n_sides)).tocsr()
    rank = np.empty(n_sides, dtype=np.int64)
    rank[reverse_cuthill_mckee(graph + graph.T, symmetric_mode=True)] = np.arange(n_sides)
    first, second = np.minimum(rank[ends[:, 0]], rank[ends[:, 1]]), np.maximum(rank[ends[:, 0]], rank[ends[:, 1]])
    order = np.asarray(missing, dtype=np.int64)[np.lexsort((second, first))].tolist()
    return [order[start:start + size] for start in range(0, len(order), size)]


REWRITE_NEW = 2_000  # pairs not in the stored file that alone do not rewrite it (see _rewrite)
SKIP_FROM = 20_000  # pairs the file must hold before _rewrite skips writing it


def _rewrite(unknown: int, pairs: int, held: int | None) -> bool:
    """Whether to write the file of feature rows again (``held``: the pairs it holds, None when unusable):
    not when it holds exactly today's pairs, nor (a file of at least :data:`SKIP_FROM` pairs) after an edit that brought at most :data:`REWRITE_NEW` (or
    2 %) pairs it lacks while it holds between three quarters and four thirds as many pairs as today: those
    few are in the embedding cache (:class:`~notes2anki.semantic.cache.PairVerdictCache`), where the next run
    finds them (100,000 rows: a 35 MB file, 0.3 s to write)."""
    if held is None or held < SKIP_FROM:  # (a small file costs nothing to write)
        return True
    if not unknown and held == pairs:
        return False
    return not (unknown <= max(REWRITE_NEW, 0.02 * pairs) and 4 * held >= 3 * pairs and 3 * held <= 4 * pairs)


def _load_rows(path: Path, kind: str, keys: list[str], pairs: list[tuple[int, int]],
               rows: np.ndarray) -> tuple[np.ndarray, int | None]:
    """Fill ``rows`` (one per pair of side indices in ``pairs``; sides named by ``keys``, see
    :func:`side_keys`) from the last run's file ``path``. Returns which pairs were found (a boolean array)
    and how many pairs the file held (None: missing or unusable). Pairs are matched on arrays (10,000 sides,
    100,000 pairs: a few hundredths of a second; a dict of key pairs took 0.3 s)."""
    found = np.zeros(len(pairs), dtype=bool)
    try:
        data = read_pickle(path, mapped=True)  # (its rows: a read-only view of the file, copied once below)
        if not isinstance(data, dict) or data.get("kind") != kind:
            return found, None
        old_keys = list(data["keys"])
        old_pairs = np.asarray(data["pairs"], dtype=np.int64).reshape(-1, 2)
        old_rows = np.asarray(data["rows"], dtype=np.float64)
        if old_rows.shape != (len(old_pairs), len(FEATURES)) or (
                len(old_pairs) and (old_pairs.min() < 0 or old_pairs.max() >= len(old_keys))):
            return found, None
    except Exception:  # missing, corrupt, another layout: looked up in the embedding cache
        return found, None
    if not len(pairs) or not len(old_pairs):
        return found, len(old_pairs)
    where = {key: n for n, key in enumerate(keys)}
    if len(where) != len(keys):  # two sides with one key (rare): by pairs of keys
        last = {(old_keys[a], old_keys[b]): old_rows[n] for n, (a, b) in enumerate(old_pairs.tolist())}
        for n, (i, j) in enumerate(pairs):
            row = last.get((keys[i], keys[j]))
            if row is not None:
                rows[n], found[n] = row, True
        return found, len(old_pairs)
    old_to_new = np.array([where.get(key, -1) for key in old_keys], dtype=np.int64)
    moved = old_to_new[old_pairs]
    ok = np.nonzero((moved >= 0).all(axis=1))[0]
    width = len(keys)
    old_codes = moved[ok, 0] * width + moved[ok, 1]
    order = np.argsort(old_codes, kind="stable")
    old_codes, source = old_codes[order], ok[order]  # (the stored rows are copied once, below: 35 MB)
    if not len(old_codes):
        return found, len(old_pairs)
    new = np.fromiter(chain.from_iterable(pairs), dtype=np.int64, count=2 * len(pairs)).reshape(-1, 2)
    codes = new[:, 0] * width + new[:, 1]
    at = np.minimum(np.searchsorted(old_codes, codes), len(old_codes) - 1)
    found = old_codes[at] == codes
    # one gather straight into ``rows`` (after an edit nearly every pair is found): no 35 MB temporary and
    # no masked scatter; the rows of pairs not found are zeroed again, as they were
    np.take(old_rows, source[at], axis=0, out=rows, mode="clip")  # (indices valid; "raise" would buffer)
    rows[~found] = 0.0
    return found, len(old_pairs)


def _save_rows(path: Path, kind: str, keys: list[str], pairs: list[tuple[int, int]], rows: np.ndarray) -> None:
    data = {"kind": kind, "keys": keys, "pairs": np.array(pairs, dtype=np.int64).reshape(-1, 2), "rows": rows}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, memo_dumps(data, out_of_band=True), durable=False)
    except (OSError, pickle.PicklingError):
        pass
