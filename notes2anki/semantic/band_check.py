"""How far the int8 encoder moves the duplicate judge's scores: the measurement behind
:data:`notes2anki.semantic.cascade.BAND`.

:func:`score_changes` measures the same pairs twice, once with each encoder's vectors (candidates, local
densities and word vectors each from its own encoder, as a full run of each would), and gives per set of
pairs the largest change of the judge's score in logits among the pairs whose probability (either one) lies
in :data:`~notes2anki.semantic.cascade.WINDOW`. Sets: the dev vault's candidate and labelled pairs with the
project's training pairs (as :func:`~notes2anki.semantic.evaluate.training_rows` measures them), every
``*.jsonl`` of labelled pairs given, and the candidate pairs of real vaults (as ``find_duplicates`` mines
them; only pairs both encoders make candidates are compared, the others are counted).

``python -m notes2anki.semantic.band_check EVAL_DIR [PAIRS.jsonl ...] [--vaults DIR ...]`` prints the figures
and the band they ask for; run it after a refit of the pair model (``evaluate fit``) and set
``cascade.MEASURED`` when the test (tests/semantic/test_cascade.py) says the band is too narrow.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from notes2anki.semantic import pair_model
from notes2anki.semantic.cascade import WINDOW, logit


def largest_change(rows_a: np.ndarray, rows_b: np.ndarray, window: tuple[float, float] = WINDOW) -> float:
    """The largest |logit(p_a) - logit(p_b)| over paired feature rows (the shipped pair model's
    probabilities) whose p_a or p_b lies in ``window``; 0.0 for none."""
    if not len(rows_a):
        return 0.0
    model = pair_model.load()
    pa, pb = model.probability(np.asarray(rows_a)), model.probability(np.asarray(rows_b))
    low, high = window
    inside = ((pa >= low) & (pa <= high)) | ((pb >= low) & (pb <= high))
    change = np.abs(logit(pa) - logit(pb))[inside]
    return float(change.max()) if change.size else 0.0


def _training_change(eval_dir: Path, approximate: Any, exact: Any) -> float:
    from notes2anki.semantic.evaluate import training_rows

    a, b = training_rows(eval_dir, approximate), training_rows(eval_dir, exact)
    mine = {key: k for k, key in enumerate(b.pairs)}
    both = [(k, mine[key]) for k, key in enumerate(a.pairs) if key in mine]
    return largest_change(a.x[[k for k, _ in both]], b.x[[k for _, k in both]])


def vault_rows(cards: Sequence[Any], embedder: Any) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Candidate pairs of ``cards`` as ``find_duplicates`` mines and measures them (one card per exact text;
    pairs of cards the model reads), named by the cards' ``file:line`` pairs, and their feature rows."""
    from notes2anki.semantic.dupes import candidate_pairs, card_side, exact_key
    from notes2anki.semantic.language import covered
    from notes2anki.semantic.pair_features import encode, fill_chars
    from notes2anki.semantic.scoring import measure

    first: dict[str, Any] = {}
    for card in cards:
        if not card.delete and card_side(card).text:
            first.setdefault(exact_key(card), card)
    reps = list(first.values())
    sides = [card_side(c) for c in reps]
    is_covered = covered([s.text for s in sides], embedder.spec.location or None)
    if sum(is_covered) < 2:
        return [], np.zeros((0, 0))
    enc = encode(sides, embedder.embed, is_covered, densities=False, chars=False)
    pairs = [(i, j) for i, j in candidate_pairs(enc, is_covered) if is_covered[i] and is_covered[j]]
    fill_chars(enc, range(len(sides)))
    names = [(f"{reps[i].file}:{reps[i].line}", f"{reps[j].file}:{reps[j].line}") for i, j in pairs]
    return names, measure(enc, pairs)


def cosine_change(texts: Sequence[str], approximate: Any, exact: Any, floor: float = 0.2) -> float:
    """The largest |v·u8 - v·u32| (v: one text's fp32 vector; u8, u32: another's int8 and fp32 vectors) over the
    pairs of ``texts`` whose fp32 cosine is at least ``floor`` (the near neighbours a local density is made
    of); see cascade.exact_densities."""
    texts = list(dict.fromkeys(t for t in texts if t))
    if len(texts) < 2:
        return 0.0
    a, b = approximate.embed(texts), exact.embed(texts)
    largest = 0.0
    for start in range(0, len(texts), 512):
        sa, sb = b[start:start + 512] @ a.T, b[start:start + 512] @ b.T
        near = sb >= floor
        for r in range(sa.shape[0]):
            near[r, start + r] = False
        if near.any():
            largest = max(largest, float(np.abs(sa - sb)[near].max()))
    return largest


def dev_cosine_change(eval_dir: Path | str, approximate: Any, exact: Any) -> float:
    """:func:`cosine_change` over the card texts and (apart) the questions of the dev vault's cards."""
    from notes2anki.semantic.dupes import card_side
    from notes2anki.semantic.evaluate import load_eval

    cards, _ = load_eval(eval_dir)
    sides = [card_side(c) for c in cards if not c.delete]
    return max(cosine_change([s.text for s in sides], approximate, exact),
               cosine_change([s.question or s.text for s in sides], approximate, exact))


def score_changes(eval_dir: Path | str | None, approximate: Any, exact: Any, pair_files: Sequence[Path] = (),
                  vaults: Sequence[Path] = ()) -> dict[str, float]:
    """Set name -> the largest judge-score change (logits) between the two embedders' vectors (see the module
    doc). ``eval_dir``: the labelled dev set (``../shared/eval``; None: left out)."""
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault
    from notes2anki.semantic.evaluate import _pair_rows

    out: dict[str, float] = {}
    if eval_dir is not None and (Path(eval_dir) / "dupes_truth.json").is_file():
        out["dev vault + training pairs"] = _training_change(Path(eval_dir), approximate, exact)
    for path in pair_files:
        out[Path(path).name] = largest_change(_pair_rows(Path(path), approximate), _pair_rows(Path(path), exact))
    for vault in vaults:
        cards = list(load_vault(Path(vault), load_config(Path(vault), [])).cards)
        names_a, rows_a = vault_rows(cards, approximate)
        names_b, rows_b = vault_rows(cards, exact)
        where = {name: k for k, name in enumerate(names_b)}
        both = [(k, where[name]) for k, name in enumerate(names_a) if name in where]
        out[Path(vault).name] = largest_change(rows_a[[k for k, _ in both]], rows_b[[k for _, k in both]]) \
            if both else 0.0
    return out


def density_change(sides: Sequence[Any], pairs: Sequence[tuple[int, int]], approximate: Any, exact: Any,
                   is_covered: Sequence[bool] | None = None) -> float:
    """The largest judge-score change (logits, pairs in :data:`~notes2anki.semantic.cascade.WINDOW`) between
    index ``pairs`` of ``sides`` measured on ``exact``'s vectors alone and the same rows with the local
    densities of ``approximate``'s vectors: what the cascade's first fp32 step (fp32 sides, int8 densities)
    can differ from fp32 by (see ``cascade.DENSITY_BAND``)."""
    from notes2anki.semantic.pair_features import encode
    from notes2anki.semantic.scoring import measure

    pairs = list(pairs)
    if not pairs:
        return 0.0
    full = encode(sides, exact.embed, is_covered)
    rough = encode(sides, approximate.embed, is_covered, chars=False)
    reference = measure(full, pairs, gate=None)  # (every pair aligned: the gate would make the rows differ)
    full.density_card, full.density_q = rough.density_card, rough.density_q
    return largest_change(measure(full, pairs, gate=None), reference)


def density_changes(eval_dir: Path | str | None, approximate: Any, exact: Any, pair_files: Sequence[Path] = (),
                    vaults: Sequence[Path] = ()) -> dict[str, float]:
    """Set name -> :func:`density_change` on the dev vault's candidate and labelled pairs, each labelled pairs
    file (its pairs, densities among its cards, as ``compare_cards`` measures them) and each vault's candidate
    pairs (as ``find_duplicates`` mines them with fp32 vectors)."""
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault
    from notes2anki.semantic.dupes import candidate_pairs, card_side, exact_key
    from notes2anki.semantic.evaluate import load_eval, load_pairs
    from notes2anki.semantic.language import covered
    from notes2anki.semantic.pair_features import encode

    def vault_change(cards: Sequence[Any], extra: Sequence[tuple[Any, Any]] = ()) -> float:
        first: dict[str, int] = {}
        reps: list[Any] = []
        for card in cards:
            if not card.delete and card_side(card).text and exact_key(card) not in first:
                first[exact_key(card)] = len(reps)
                reps.append(card)
        sides = [card_side(c) for c in reps]
        read = covered([s.text for s in sides], exact.spec.location or None)
        if sum(read) < 2:
            return 0.0
        enc = encode(sides, exact.embed, read, densities=False, chars=False)
        pairs = set(candidate_pairs(enc, read))
        where = {(c.file, c.line): first[exact_key(c)] for c in cards if exact_key(c) in first}
        pairs |= {tuple(sorted((where[a], where[b]))) for a, b in extra if a in where and b in where}
        pairs = sorted((i, j) for i, j in pairs if i != j and read[i] and read[j])
        return density_change(sides, pairs, approximate, exact, read)

    out: dict[str, float] = {}
    if eval_dir is not None and (Path(eval_dir) / "dupes_truth.json").is_file():
        cards, truth = load_eval(eval_dir)
        labelled = [((p["a"]["file"], p["a"]["line"]), (p["b"]["file"], p["b"]["line"]))
                    for p in truth["duplicate_pairs"] + truth["hard_negative_pairs"]]
        out["dev vault"] = vault_change(cards, labelled)
    for path in pair_files:
        pairs = load_pairs(Path(path))
        sides = [card_side(c) for p in pairs for c in (p.a, p.b)]
        out[Path(path).name] = density_change(sides, [(2 * k, 2 * k + 1) for k in range(len(pairs))],
                                              approximate, exact)
    for vault in vaults:
        out[Path(vault).name] = vault_change(list(load_vault(Path(vault), load_config(Path(vault), [])).cards))
    return out


def main(argv: list[str] | None = None) -> int:
    """Print :func:`score_changes` for the default int8 encoder against fp32, and the band they ask for."""
    import argparse
    import json

    from notes2anki.semantic import cascade
    from notes2anki.semantic.encoder import Embedder

    parser = argparse.ArgumentParser(prog="python -m notes2anki.semantic.band_check", description=__doc__)
    parser.add_argument("eval_dir", type=Path, help="the labelled dev set (../shared/eval)")
    parser.add_argument("pairs", type=Path, nargs="*", help="labelled pairs files (JSONL)")
    parser.add_argument("--vaults", type=Path, nargs="*", default=[], help="vault folders")
    parser.add_argument("--densities", action="store_true", help="only the density step's changes (DENSITY_BAND)")
    args = parser.parse_args(argv)
    with Embedder(backend="onnx-int8") as int8:
        if args.densities:
            changes = density_changes(args.eval_dir, int8, int8.exact(), args.pairs, args.vaults)
            print(json.dumps({"largest_density_change_logits": changes,
                              "density_band_asked": round(cascade.band_for(changes), 3),
                              "density_band_shipped": cascade.DENSITY_BAND}, indent=1))
            return 0
        changes = score_changes(args.eval_dir, int8, int8.exact(), args.pairs, args.vaults)
        cosine = dev_cosine_change(args.eval_dir, int8, int8.exact())
    print(json.dumps({"largest_change_logits": changes, "band_asked": round(cascade.band_for(changes), 3),
                      "band_shipped": cascade.BAND, "largest_cosine_change_dev_vault": round(cosine, 4),
                      "cosine_change_shipped": cascade.COSINE_CHANGE}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
