"""What a duplicate check reports (:func:`~notes2anki.semantic.dupes.find_duplicates`): the pairs and groups
found, the close candidates not reported (for ``--explain``) and the report that holds them, with the stable
JSON of ``notes2anki dupes --json``. Plain classes; the signals and reasons of a pair are made on first use."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from notes2anki.model import Card
from notes2anki.semantic import cascade, lazy_verdicts
from notes2anki.semantic.card_parts import card_side
from notes2anki.semantic.pair_cache import JudgeStats
from notes2anki.semantic.pair_features import explain
from notes2anki.semantic.scoring import DEFAULT_THRESHOLD, Verdict
from notes2anki.semantic.text import question_text

class DuplicatePair:
    """Two cards reported as duplicates: ``score`` 1.0 for exact, else the judge's probability; ``kind``
    "exact" | "near"; ``method`` "exact" | "model" | "chargrams". ``signals`` (the pair's measurements) are
    made on first use from the ``verdict`` or feature ``row`` it was built from (issue 13: a check after an
    edit of the 10,000-card bench vault made them for its ~3,600 reported pairs, ~0.1 s, though only tests
    and ``explain`` read them)."""

    __slots__ = ("a", "b", "score", "kind", "method", "_signals", "_verdict", "_row")

    def __init__(self, a: Card, b: Card, score: float, kind: str, signals: dict[str, Any] | None = None,
                 method: str = "model", *, verdict: Verdict | None = None, row: Any = None) -> None:
        self.a, self.b, self.score, self.kind, self.method = a, b, score, kind, method
        self._signals, self._verdict, self._row = signals, verdict, row

    @property
    def signals(self) -> dict[str, Any]:
        """Feature name -> value (the verdict's, made on first use; {} for exact pairs)."""
        if self._signals is None:
            if self._verdict is not None:
                self._signals = self._verdict.signals
            else:
                self._signals = explain(self._row) if self._row is not None else {}
        return self._signals

    @signals.setter
    def signals(self, value: dict[str, Any]) -> None:
        """Set the pair's measurements."""
        self._signals = value

    def pending_row(self) -> Any:
        """The feature row its signals will be made from when they have not been made yet, else None (what
        :func:`~notes2anki.semantic.dupes_memo.remember` stores instead of the signals)."""
        if self._signals is not None:
            return None
        if self._verdict is not None:
            return self._verdict.row if self._verdict._signals is None else None
        return self._row

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DuplicatePair):
            return NotImplemented
        return (self.a, self.b, self.score, self.kind, self.signals, self.method) == \
            (other.a, other.b, other.score, other.kind, other.signals, other.method)

    __hash__ = None  # type: ignore[assignment]  (mutable, as the dataclass it was)

    def __repr__(self) -> str:
        return (f"DuplicatePair(a={self.a!r}, b={self.b!r}, score={self.score!r}, kind={self.kind!r}, "
                f"method={self.method!r})")


@dataclass
class DuplicateGroup:
    """Three or more cards every two of which are reported duplicates (a clique)."""

    cards: list[Card]
    score: float  # the weakest pair inside the group
    exact: bool = False  # every card has the same text


class Rejection:
    """A candidate pair that was not reported, and why (for --explain). ``reason`` and ``signals`` are
    computed on first use when built from a :class:`~notes2anki.semantic.scoring.Verdict` (a normal run
    explains none of its ~100,000 rejected candidates)."""

    __slots__ = ("a", "b", "score", "_reason", "_signals", "_verdict")

    def __init__(self, a: Card, b: Card, score: float, reason: str | None = None,
                 signals: dict[str, Any] | None = None, verdict: Verdict | None = None) -> None:
        self.a, self.b, self.score = a, b, score
        self._reason, self._signals, self._verdict = reason, signals, verdict

    @property
    def reason(self) -> str:
        """Why the pair was not reported (vetoes, or the score and what weighed against it)."""
        if self._reason is None:
            self._reason = self._verdict.explain((card_side(self.a), card_side(self.b))) \
                if self._verdict is not None else ""
        return self._reason

    @property
    def signals(self) -> dict[str, Any]:
        """The pair's measurements (feature name -> value)."""
        if self._signals is None:
            self._signals = self._verdict.signals if self._verdict is not None else {}
        return self._signals

    @property
    def verdict(self) -> Verdict | None:
        """The judgement it came from (None when read back from a stored result)."""
        return self._verdict

    def __repr__(self) -> str:
        return f"Rejection({self.a.where} ~ {self.b.where}, score={self.score})"


@dataclass
class DuplicateReport:
    """What :func:`find_duplicates` found: pairs, groups, rejected candidates, warnings and counts."""

    pairs: list[DuplicatePair] = field(default_factory=list)
    groups: list[DuplicateGroup] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    threshold: float = DEFAULT_THRESHOLD
    cards_checked: int = 0
    encoded: int = 0  # texts the model had to encode (the rest came from the cache)
    ignored: int = 0  # pairs dropped by the ignore list
    uncovered: int = 0  # cards the model does not read, compared by character n-grams
    judged: JudgeStats = field(default_factory=JudgeStats)  # candidate pairs: cached / measured
    cascade: cascade.CascadeStats = field(default_factory=cascade.CascadeStats)  # pairs judged again on fp32
    replayed: bool = False  # the stored result of an unchanged check (see dupes_memo)
    # warnings about this run only (the cache or model it used: corrupt, locked…), never stored for a replay
    run_warnings: list[str] = field(default_factory=list, repr=False)
    _rejected: list[Rejection] = field(default_factory=list, repr=False)
    _load_rejected: Callable[[], list[Rejection]] | None = field(default=None, repr=False, compare=False)
    _lazy: Any = field(default=None, repr=False, compare=False)

    @property
    def rejected(self) -> list[Rejection]:
        """Candidate pairs that were not reported, closest first (for ``--explain``; a replayed result
        reads them from its file on first use)."""
        if self._load_rejected is not None:
            self._rejected, self._load_rejected = self._load_rejected(), None
        return self._rejected

    @rejected.setter
    def rejected(self, value: list[Rejection]) -> None:
        """Set the rejected candidates (a stored list not yet read is dropped)."""
        self._rejected, self._load_rejected, self.lazy_rejected = value, None, None

    @property
    def lazy_rejected(self):
        """Rejected candidates not made into objects yet (a :class:`~notes2anki.semantic.lazy_verdicts.LazyRejected`,
        or None); :attr:`rejected` makes and merges them on first use."""
        return self._lazy

    @lazy_rejected.setter
    def lazy_rejected(self, lazy) -> None:
        """Hold ``lazy`` (None: none); the next read of :attr:`rejected` makes and merges them."""
        self._lazy = lazy
        if lazy is not None:
            eager = self._rejected
            self._load_rejected = lambda: sorted(eager + lazy.rejections(),
                                                 key=lambda r: lazy_verdicts.rejection_order(r.score, r.a, r.b))

    def sort_rejected(self) -> None:
        """Sort the rejected candidates made so far, closest first (the lazy ones are sorted when made)."""
        self._rejected.sort(key=lambda r: lazy_verdicts.rejection_order(r.score, r.a, r.b))

    @property
    def found(self) -> bool:
        """Whether any pair was reported."""
        return bool(self.pairs)

    def same_text_other_notes(self) -> list[DuplicatePair]:
        """The reported pairs whose two cards have the same text (as compared: fields' plain text) in two
        different notes, best first. In Anki such cards read the same; when the note or the heading they sit
        under is what gives them their subject (medu4: "治療は開頭血腫除去術である" under two diseases' notes),
        the cards need that subject in their own text, not one of them deleted."""
        from .text import card_text

        return [p for p in self.pairs if p.a.file != p.b.file and card_text(p.a) == card_text(p.b)]

    def to_json(self) -> dict[str, Any]:
        """The stable JSON interface of ``notes2anki dupes --json``."""
        return {
            "pairs": [{"a": card_json(p.a), "b": card_json(p.b), "score": p.score, "kind": p.kind,
                       "method": p.method} for p in self.pairs],
            "groups": [{"cards": [card_json(c) for c in g.cards], "score": g.score,
                        "kind": "exact" if g.exact else "near"} for g in self.groups],
            "cards_checked": self.cards_checked, "cards_by_chargrams": self.uncovered,
        }


def card_json(card: Card) -> dict[str, Any]:
    """A card in ``dupes --json``: file, line and plain question."""
    return {"file": card.file, "line": card.line, "front": question_text(card)}
