"""The last duplicate check of a set of cards, replayed when nothing it read has changed (issue 13: a warm
no-op ``build`` or ``dupes`` must not encode, mine or judge anything, nor load the model, scikit-learn or
the embedding cache).

:func:`input_digest` hashes everything :func:`~notes2anki.semantic.dupes.find_duplicates` reads: every card
that is not marked DELETE (file, line, end line, column, ID, note type, each field's Markdown, in order),
the threshold, ``top_k``, the ``ignore`` entries, the model (its key, a fingerprint of its local files, the
encoder backend and device asked for) and the code (the sources of ``notes2anki/semantic``, the shipped
pair model and ``model.py``): any edit anywhere there makes a digest no stored result has. The digest reads
the raw fields (computing 10,000 cards' plain texts alone takes 2.5 s), all cards as one ``marshal`` of plain
tuples (about 0.03 s; as JSON strings one card at a time it took 0.07–0.1 s of every check, a no-op's too).

Stored per set of card files and model (one entry each, the last run's): the digest and the report as
positions into the checked cards (pairs, groups, counts, warnings), in ``<cache file>.dupes/<key>.pickle``
beside the embedding cache; the rejected candidates (``--explain``; about 100,000 at 10,000 cards) in a
second file read only when :attr:`DuplicateReport.rejected` is used (their reasons are computed then, from
the stored feature rows). Beside them, what makes the next check after an edit incremental, each per entry:
plain texts (``.texts``, :mod:`~notes2anki.semantic.text_memo`; with what
:func:`~notes2anki.semantic.language.covered` measured of each, ``.language``; each card's texts and media
as a whole, ``.cards``), character n-gram rows (``.chargrams``,
:mod:`~notes2anki.semantic.chargram_memo`), card vectors (``.vectors``, :mod:`~notes2anki.semantic.vector_memo`),
each card's nearest neighbours (``.mining``, :mod:`~notes2anki.semantic.incremental_mining`; by n-grams
``.charmining``, :mod:`~notes2anki.semantic.char_mining`) and the candidate
pairs' feature rows (``.rows``, :func:`~notes2anki.semantic.pair_cache.judge_cached`): about 140 MB for a
10,000-card vault. At most :data:`KEEP` entries are kept (the least recently written go, with their files). The files are re-computable: one that cannot be read is ignored and
replaced; nothing here raises.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import pickle
from dataclasses import dataclass
from functools import lru_cache
from json.encoder import encode_basestring as _string
from pathlib import Path
from typing import Any, Callable, Sequence

from notes2anki.fileio import atomic_write
from notes2anki.memo_file import dumps as memo_dumps, read_pickle
from notes2anki.semantic import rejected_store
from notes2anki.semantic.rejected_store import (REJECTED_FEW, REJECTED_SKIP_FROM, REJECTED_SUFFIX,  # noqa: F401
                                               load_rejected, pack_rejected, recheck, store_rejected,
                                               unpack_rejected)  # (re-exported: they lived here)

FORMAT = 3  # 3: the reported pairs' signals as feature rows (pair_rows)
KEEP = 8  # stored results (sets of files x models) kept; older ones are deleted on save
SUFFIX = ".pickle"



def memo_folder(cache_file: Path | str | None) -> Path | None:
    """Where the results of the embedding cache ``cache_file`` live (None: an in-memory cache, no memo)."""
    if cache_file is None or str(cache_file) == ":memory:":
        return None
    path = Path(cache_file)
    return path.with_name(path.name + ".dupes")


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the sources a duplicate report depends on: ``notes2anki/semantic/**`` (code and shipped data)
    and ``notes2anki/model.py``."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"memo={FORMAT}".encode())
    files = sorted(p for p in here.rglob("*") if p.is_file() and p.suffix in (".py", ".json")
                   and "__pycache__" not in p.parts)
    for path in [*files, here.parent / "model.py"]:
        try:
            digest.update(path.relative_to(here.parent).as_posix().encode() + b"\0" + path.read_bytes())
        except (OSError, ValueError):
            digest.update(path.name.encode())
    return digest.hexdigest()


def model_identity(spec: Any, backend: str | None, device: str | None) -> str:
    """The model as far as its vectors go: key, a fingerprint of its local files (names, sizes, times),
    the backend and device asked for (``NOTES2ANKI_ENCODER`` / ``NOTES2ANKI_DEVICE`` when None)."""
    from notes2anki.semantic import onnx_backend
    from notes2anki.semantic.encoder import EncoderError, bundled_model_dir

    try:
        folder = Path(spec.location) if spec.location else bundled_model_dir()
        files = onnx_backend.fingerprint(folder) if folder.is_dir() else "-"
    except (EncoderError, OSError):
        files = "-"
    backend = backend or os.environ.get("NOTES2ANKI_ENCODER", "").strip().lower() or "auto"
    device = device or os.environ.get("NOTES2ANKI_DEVICE", "").strip().lower() or "-"
    return f"{spec.key}\0{files}\0{backend}\0{device}"


def input_digest(cards: Sequence[Any], *, model: str, threshold: float, top_k: int, ignore: Any) -> str:
    """Hex digest of what a duplicate check of ``cards`` reads (see the module doc); ``model`` from
    :func:`model_identity`."""
    digest = hashlib.sha256(json.dumps([code_version(), model, repr(threshold), top_k, repr(ignore)]).encode())
    try:  # one marshal of plain tuples (version 2: no back-references, so equal values give equal bytes)
        digest.update(marshal.dumps([(c.file, c.line, c.end_line, c.col, c.id, c.note_type, tuple(c.fields.items()))
                                     for c in cards], 2))
    except ValueError:  # a value of another type (marshal writes str, int, None and tuples only, exactly)
        digest.update(b"json\0")
        for card in cards:
            digest.update(card_json(card).encode("utf-8", "surrogatepass"))
            digest.update(b"\x1e")
    return digest.hexdigest()


def card_json(card: Any) -> str:
    """``json.dumps([file, line, end_line, col, id, note_type, list(fields.items())], ensure_ascii=False)`` of
    ``card``: the same text, made with json's string encoder alone when the values have their usual types
    (10,000 cards: 0.1 s -> 0.03 s of every check, a warm one too); else by json.dumps."""
    head = (card.line, card.end_line, card.col)
    if type(card.file) is str and type(card.note_type) is str and all(type(v) is int for v in head) \
            and (card.id is None or type(card.id) is int):
        fields = card.fields.items()
        if all(type(k) is str and type(v) is str for k, v in fields):
            return (f"[{_string(card.file)}, {head[0]}, {head[1]}, {head[2]}, "
                    f"{'null' if card.id is None else card.id}, {_string(card.note_type)}, ["
                    + ", ".join(f"[{_string(k)}, {_string(v)}]" for k, v in fields) + "]]")
    return json.dumps([card.file, card.line, card.end_line, card.col, card.id, card.note_type,
                       list(card.fields.items())], ensure_ascii=False)


def entry_name(cards: Sequence[Any], model: str) -> str:
    """The entry of a set of card files and a model (one stored result each)."""
    files = "\n".join(sorted({card.file for card in cards}))
    return hashlib.sha256(f"{model}\0{files}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class Memo:
    """Where the result of one duplicate check is stored: ``folder``, entry ``name``, input ``digest``."""

    folder: Path
    name: str
    digest: str


def locate(live: Sequence[Any], model: Any, threshold: float, ignore: Any, cache_path: Any, embedder: Any,
           top_k: int) -> Memo | None:
    """The :class:`Memo` of a check of ``live`` (the cards not marked DELETE) with these settings, as
    :func:`~notes2anki.semantic.dupes.find_duplicates` takes them; None when results are not kept (an
    in-memory cache). Cheap: reads no card text, opens no cache, loads no model."""
    from notes2anki.semantic.cache import default_cache_path
    from notes2anki.semantic.encoder import MEMORY, resolve_model

    if embedder is not None:
        spec, folder = embedder.spec, memo_folder(embedder.cache.path)
        identity = model_identity(spec, embedder.backend, embedder.device)
    else:
        spec = resolve_model(model)
        path = default_cache_path() if cache_path is None else cache_path
        folder = memo_folder(None if str(path) == MEMORY else path)
        identity = model_identity(spec, None, None)
    if folder is None:
        return None
    digest = input_digest(live, model=identity, threshold=threshold, top_k=top_k, ignore=ignore)
    return Memo(folder, entry_name(live, identity), digest)


def load(memo: Memo) -> dict | None:
    """The stored result of ``memo`` when its inputs had the same digest; else None (always None inside
    :func:`recheck`)."""
    if rejected_store.rechecking():
        return None
    try:
        data = read_pickle(memo.folder / (memo.name + SUFFIX))
    except Exception:  # missing, corrupt, another version: run the check
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("digest") != memo.digest:
        return None
    return data


def save(memo: Memo, data: dict, rejected: dict | None) -> None:
    """Store ``data`` (the report as positions) and the ``rejected`` rows (None: remove the stored ones,
    which belong to an earlier result); prune to :data:`KEEP` entries. Failures are ignored (the next run
    checks again)."""
    folder = memo.folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if rejected is None:
            (folder / (memo.name + REJECTED_SUFFIX)).unlink(missing_ok=True)
        else:
            atomic_write(folder / (memo.name + REJECTED_SUFFIX), memo_dumps(
                {**rejected, "digest": memo.digest, "format": FORMAT}),
                durable=False)
        atomic_write(folder / (memo.name + SUFFIX), memo_dumps(
            {**data, "format": FORMAT, "digest": memo.digest}), durable=False)
        entries = sorted((p for p in folder.glob("*" + SUFFIX) if p.name.count(".") == 1),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            forget(Memo(folder, old.name[:-len(SUFFIX)], ""))
    except (OSError, pickle.PicklingError, RecursionError):
        pass


ENTRY_SUFFIXES = (SUFFIX, REJECTED_SUFFIX, ".texts.pickle", ".chargrams.pickle", ".mining.pickle",
                  ".charmining.pickle", ".rows.pickle", ".vectors.pickle", ".language.pickle", ".cards.pickle")


def forget(memo: Memo) -> None:
    """Remove every file of the entry ``memo`` (its result and the memos of its steps); never raises."""
    for suffix in ENTRY_SUFFIXES:
        try:
            (memo.folder / (memo.name + suffix)).unlink(missing_ok=True)
        except OSError:
            pass


def remember(report: Any, live: Sequence[Any], kept: Sequence[Any], memo: Memo) -> None:
    """Store a :class:`~notes2anki.semantic.dupes.DuplicateReport` of ``live`` as positions into ``live``
    (not when two cards share a place: positions by ``Card.key`` would be ambiguous)."""
    where = {card.key: n for n, card in enumerate(live)}
    if len(where) != len(live):
        return
    data = {
        "kept": [where[card.key] for card in kept],
        **_pack_pairs(report.pairs, where),
        "groups": [([where[c.key] for c in g.cards], g.score, g.exact) for g in report.groups],
        "warnings": [w for w in report.warnings if w not in report.run_warnings], "uncovered": report.uncovered, "ignored": report.ignored,
        "candidates": report.judged.candidates,
    }
    keep = store_rejected(report.judged.candidates, report.judged.measured)
    save(memo, data, _pack_report(report, where, live) if keep else None)


def _pack_pairs(pairs: Sequence[Any], where: dict) -> dict:
    """The reported pairs as positions: ``pairs`` (i, j, score, kind, signals or None, method) and, for the
    pairs whose signals were not made (see :meth:`~notes2anki.semantic.dupes.DuplicatePair.pending_row`),
    their feature rows (``pair_rows``, one array; ``pair_rows_at``: which pairs), made into signals when
    read (``replay``)."""
    import numpy as np

    packed, at, rows = [], [], []
    for k, p in enumerate(pairs):
        row = p.pending_row()
        if row is not None:
            at.append(k)
            rows.append(row)
        packed.append((where[p.a.key], where[p.b.key], p.score, p.kind, None if row is not None else p.signals,
                       p.method))
    return {"pairs": packed, "pair_rows_at": np.array(at, dtype=np.int64),
            "pair_rows": np.array(rows, dtype=np.float64) if rows else np.zeros((0, 0))}


def _pack_report(report: Any, where: dict, live: Sequence[Any]) -> dict:
    """:func:`pack_rejected` of ``report.rejected``, without making the objects of candidates held lazily
    (:class:`~notes2anki.semantic.lazy_verdicts.LazyRejected`): both parts packed and concatenated, marked
    ``unsorted``: :func:`unpack_rejected` puts them in the order ``report.rejected`` has when (and only when)
    they are read (``--explain``), not on every check after an edit (100,000 rows: 0.15 s)."""
    import numpy as np

    lazy = getattr(report, "lazy_rejected", None)
    if lazy is None or report._load_rejected is None:  # none, or made already
        return pack_rejected(report.rejected, where)
    first, second = pack_rejected(report._rejected, where), lazy.packed(where)
    n = len(first["scores"])

    def joined(first_map: dict, second_map: dict) -> dict:
        return {**first_map, **{n + k: v for k, v in second_map.items()}}

    return {"ij": np.concatenate([first["ij"], second["ij"]]),
            "scores": np.concatenate([first["scores"], second["scores"]]),
            "rows": np.concatenate([first["rows"], second["rows"]]), "method": first["method"] + second["method"],
            "vetoes": joined(first["vetoes"], second["vetoes"]), "why": joined(first["why"], second["why"]),
            "plain": joined(first["plain"], second["plain"]),
            "threshold": first["threshold"] if first["threshold"] is not None else second["threshold"],
            "unsorted": True}


def _in_order(data: dict, live: Sequence[Any]) -> dict:
    """``data`` from :func:`_pack_report` in the order of ``report.rejected``: closest first, then by place
    (file, line of each side); ties keep their packed order (the candidates made as objects first)."""
    import numpy as np

    ij, scores = np.asarray(data["ij"], dtype=np.int64).reshape(-1, 2), np.asarray(data["scores"])
    rank = {f: r for r, f in enumerate(sorted({card.file for card in live}))}
    file_of = np.array([rank[card.file] for card in live], dtype=np.int64)
    line_of = np.array([card.line for card in live], dtype=np.int64)
    order = np.lexsort((line_of[ij[:, 1]], file_of[ij[:, 1]], line_of[ij[:, 0]], file_of[ij[:, 0]], -scores))
    new_place = np.empty(len(order), dtype=np.int64)
    new_place[order] = np.arange(len(order))

    def moved(mapping: dict) -> dict:
        return {int(new_place[k]): v for k, v in mapping.items()}

    method = data["method"]
    return {"ij": ij[order], "scores": scores[order], "rows": np.asarray(data["rows"])[order],
            "method": [method[k] for k in order.tolist()], "vetoes": moved(data["vetoes"]),
            "why": moved(data["why"]), "plain": moved(data["plain"]), "threshold": data["threshold"]}


def replay(report: Any, live: Sequence[Any], stored: dict, memo: Memo, recheck: Callable[[], list]) -> Any:
    """Fill ``report`` with the stored result, on today's Card objects (same places and texts as when it was
    stored). The rejected candidates are read on first use of ``report.rejected`` (``recheck()`` finds them
    again if their file went)."""
    from notes2anki.semantic.dupes import DuplicateGroup, DuplicatePair
    from notes2anki.semantic.pair_cache import JudgeStats

    report.replayed = True
    report.cards_checked = len(stored["kept"])
    rows = dict(zip(stored["pair_rows_at"].tolist(), stored["pair_rows"]))
    report.pairs = [DuplicatePair(live[i], live[j], score, kind, None if signals is None else dict(signals), method,
                                  row=rows.get(k))
                    for k, (i, j, score, kind, signals, method) in enumerate(stored["pairs"])]
    report.groups = [DuplicateGroup([live[m] for m in members], score, exact)
                     for members, score, exact in stored["groups"]]
    report.warnings.extend(stored["warnings"])
    report.uncovered, report.ignored = stored["uncovered"], stored["ignored"]
    report.judged = JudgeStats(candidates=stored["candidates"], cached=stored["candidates"], measured=0)

    def rejected() -> list:
        data = load_rejected(memo)
        if data is None:
            return recheck()
        try:
            return unpack_rejected(data, live)
        except (KeyError, IndexError, TypeError, ValueError):  # another layout: find them again
            return recheck()

    report._load_rejected = rejected
    return report
