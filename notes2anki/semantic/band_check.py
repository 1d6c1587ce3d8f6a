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
    args = parser.parse_args(argv)
    with Embedder(backend="onnx-int8") as int8:
        changes = score_changes(args.eval_dir, int8, int8.exact(), args.pairs, args.vaults)
        cosine = dev_cosine_change(args.eval_dir, int8, int8.exact())
    print(json.dumps({"largest_change_logits": changes, "band_asked": round(cascade.band_for(changes), 3),
                      "band_shipped": cascade.BAND, "largest_cosine_change_dev_vault": round(cosine, 4),
                      "cosine_change_shipped": cascade.COSINE_CHANGE}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
