"""Card identity: which Anki note a card updates.

A card's identity is its ``<!--ID: n-->`` when it has one. A card without one gets an *implicit ID*
derived from the vault's namespace, its vault path, note type and first field (a 13-digit number, like
the plugin's IDs). The GUID Anki matches on is derived from the ID. ``notes2anki ids`` writes the ID the
card's note was made under, which is that number unless sync or build matched the card through a fallback
(another occurrence, the other Unicode form, the pre-namespace ID): see id_record.py.

The namespace keeps two vaults apart: two vaults holding the same file with the same front would
otherwise give their cards one GUID, and one import would overwrite the other's notes. It is
``[sync] vault_id`` in ``.notes2anki.toml`` when set, else the vault folder's name: both travel with
the vault (another machine, another path), unlike anything kept in the user's state folder. Written
IDs are not namespaced (the plugin's IDs are Anki note ids, unique in the collection), so a card with
an ID keeps the GUID it had before namespaces existed.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..messages import counted
from ..model import Card, Diagnostic

IMPLICIT_BASE = 2_000_000_000_000  # implicit IDs are 13 digits, above the plugin's (Anki note ids, ~1.7e12)
IMPLICIT_SPAN = 7_999_999_999_999
LEGACY = ""  # the namespace of notes2anki before vault namespaces: implicit IDs of path + front only


def vault_namespace(root: Path, config=None) -> str:
    """The namespace of a vault's implicit IDs: ``[sync] vault_id`` of the configuration (a non-empty
    string) when set, else the vault folder's name. ``config``: a loaded Config, or None to read it."""
    if config is None:
        from ..config import load_config

        config = load_config(Path(root))
    value = getattr(getattr(config, "sync", None), "vault_id", None)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return Path(root).resolve().name


def enclosing_vault(root: Path) -> Path | None:
    """The vault (a folder holding ``.obsidian/`` or a ``.notes2anki.toml``, as ``init`` makes) that ``root``
    lies inside (the nearest), when ``root`` is not
    a vault of its own (no ``.obsidian/``, no ``.notes2anki.toml``), else None. A card's implicit ID
    depends on the vault's name and the card's path in it, so IDs computed from a subfolder are not the
    IDs its cards have in the vault: ``ids`` and ``sync`` run there would give them new identities."""
    try:
        here = Path(root).resolve()
        if (here / ".obsidian").is_dir() or (here / ".notes2anki.toml").is_file():
            return None
        return next((parent for parent in here.parents
                     if (parent / ".obsidian").is_dir() or (parent / ".notes2anki.toml").is_file()), None)
    except (OSError, RuntimeError, ValueError):
        return None


def _front_key(card: Card) -> str:
    return f"{card.file}\x1f{card.note_type}\x1f{' '.join(card.front.split())}"


def implicit_id(card: Card, occurrence: int = 0, namespace: str = LEGACY) -> int:
    """The ID of a card without one: from the vault namespace, its path, note type and first field
    (and, for the 2nd, 3rd ... card with the same first field in one file, its occurrence)."""
    return _implicit(_front_key(card), occurrence, namespace)


def _implicit(front_key: str, occurrence: int, namespace: str) -> int:
    """:func:`implicit_id` from the card's :func:`_front_key` (computed once per card by callers)."""
    key = (f"{namespace}\x1e" if namespace else "") + front_key
    key += f"\x1f{occurrence}" if occurrence else ""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return IMPLICIT_BASE + int.from_bytes(digest[:8], "big") % IMPLICIT_SPAN


def card_ids(cards: list[Card], namespace: str = LEGACY,
             known: frozenset[str] = frozenset()) -> dict[tuple[str, int, int], int]:
    """``card.key`` → the card's ID: its written ID, else its implicit ID in ``namespace``.

    ``known``: GUIDs this vault's earlier builds gave (the build state's keys). A card without an ID
    whose pre-namespace implicit ID has a known GUID keeps that ID, so decks built and imported before
    vault namespaces existed are updated, not duplicated, by a plain import."""
    return {key: ident for key, (ident, _) in _identities(cards, namespace, known).items()}


def legacy_ids(cards: list[Card]) -> dict[tuple[str, int, int], int]:
    """``card.key`` → the implicit ID a card without a written ID had before vault namespaces (cards
    with an ID are left out). Used to find notes imported from packages built before namespaces."""
    return {key: ident for key, (ident, written) in _identities(cards, LEGACY).items() if not written}


def _identities(cards: list[Card], namespace: str,
                known: frozenset[str] = frozenset()) -> dict[tuple[str, int, int], tuple[int, bool]]:
    seen: dict[str, int] = {}
    out: dict[tuple[str, int, int], tuple[int, bool]] = {}
    keys: set[str] | None = None
    for card in cards:
        if card.id is not None:
            out[card.key] = (card.id, True)
            continue
        key = _front_key(card)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        ident = _implicit(key, occurrence, namespace)
        if namespace and known:
            legacy = _implicit(key, occurrence, LEGACY)
            if guid_of(legacy) in known:
                ident = legacy
        if known and not (card.file.isascii() and card.front.isascii()) and guid_of(ident) not in known:
            keys = {_front_key(c) for c in cards if c.id is None} if keys is None else keys
            ident = _known_other_form(card, occurrence, namespace, known, keys) or ident
        out[card.key] = (ident, False)
    return _clear_of_written(cards, out, seen, namespace)


def _clear_of_written(cards: list[Card], out: dict, counts: dict[str, int], namespace: str) -> dict:
    """``out`` (:func:`_identities`) with each implicit ID that equals the written ID of a card with the same
    file, note type and first field (``ids`` wrote the first of such cards' IDs, one without an ID was added
    since: by order it is occurrence 0 again) replaced, in vault order, by the first occurrence after those of
    its group (``counts``: the cards without an ID of each :func:`_front_key`) that no card has: so build,
    ids, sync and check give it one identity. Every other identity is unchanged (before, such a card was an
    error: "same ID"); an ID line of another card that is this card's implicit ID stays that error."""
    written: dict[str, set[int]] = {}
    for card in cards:
        if card.id is not None:
            written.setdefault(_front_key(card), set()).add(card.id)
    if not written:
        return out
    every = {ident for ids in written.values() for ident in ids}
    given = {ident for ident, was_written in out.values() if not was_written}
    for card in cards:
        key = _front_key(card) if card.id is None else ""
        if not key or out[card.key][0] not in written.get(key, ()):
            continue
        occurrence = counts.get(key, 0)
        ident = _implicit(key, occurrence, namespace)
        while ident in every or ident in given:
            occurrence += 1
            ident = _implicit(key, occurrence, namespace)
        given.add(ident)
        out[card.key] = (ident, False)
    return out


def _other_form_keys(card: Card) -> list[str]:
    """The :func:`_front_key` s of ``card`` with its vault path and its first field in the other Unicode
    normal forms (NFC / NFD), its own key left out: a file renamed only in normalisation (macOS writes
    NFD; a sync tool or git between machines may change it) or a front re-normalised by an editor, a
    linter or a paste shows the same text, and must keep its note. [] for ASCII path and front."""
    if card.file.isascii() and card.front.isascii():
        return []
    import unicodedata

    own = _front_key(card)
    front = " ".join(card.front.split())
    keys = {f"{path}\x1f{card.note_type}\x1f{text}"
            for path in {unicodedata.normalize(f, card.file) for f in ("NFC", "NFD")}
            for text in {unicodedata.normalize(f, front) for f in ("NFC", "NFD")}}
    return sorted(keys - {own})


def _known_other_form(card: Card, occurrence: int, namespace: str, known: frozenset[str],
                      keys: set[str]) -> int | None:
    """The implicit ID an earlier build gave this card under another normal form of its path or front
    (:func:`_other_form_keys`), so a rebuilt package updates the imported note instead of adding a new one
    beside it. None when no earlier build knew it, or when a card of that other form is itself in the
    vault (Linux keeps both names as two files; a file may hold both spellings as two cards)."""
    for alt in _other_form_keys(card):
        if alt in keys:
            continue
        for space in dict.fromkeys((namespace, LEGACY)):
            ident = _implicit(alt, occurrence, space)
            if guid_of(ident) in known:
                return ident
    return None


def other_form_guids(card: Card, namespace: str, ident: int | None = None, limit: int = 128) -> list[str]:
    """The GUIDs a card without a written ID would have had, were its vault path or its first field written
    in the other Unicode normal forms (:func:`_other_form_keys`): ``sync`` must still find its note. Empty
    for a card with an ID, or with an ASCII path and front. ``ident``: the card's implicit ID now
    (:func:`card_ids`), whose occurrence among the same-front cards of its file the other forms keep (tester
    12-03: the second of two "Translate: dog" cards took the first one's note after an NFD → NFC rename,
    and sync deleted its reviewed note); None: occurrence 0."""
    if card.id is not None:
        return []
    keys = _other_form_keys(card)
    if not keys:
        return []
    occurrence = 0
    if ident is not None:
        own = _front_key(card)
        occurrence = next((k for k in range(limit) for space in dict.fromkeys((namespace, LEGACY))
                           if _implicit(own, k, space) == ident), 0)
    return [guid_of(_implicit(key, occurrence, namespace)) for key in keys]


def candidate_ids(card: Card, namespace: str, limit: int) -> dict[int, int]:
    """Every implicit ID ``card`` could have had: its own vault path and first field and their other Unicode
    normal forms (:func:`_other_form_keys`), in ``namespace`` and before namespaces, as occurrence 0 to
    ``limit - 1`` among same-front cards of its file. ID -> occurrence (the lowest when two give one ID)."""
    out: dict[int, int] = {}
    for key in [_front_key(card)] + _other_form_keys(card):
        for space in dict.fromkeys((namespace, LEGACY)):
            for occurrence in range(limit):
                out.setdefault(_implicit(key, occurrence, space), occurrence)
    return out


def id_for_guid(card: Card, note_guid: str, namespace: str, limit: int = 128) -> int | None:
    """The implicit ID whose GUID is ``note_guid``, among :func:`candidate_ids` of ``card`` (the ID the note
    a card without an ID is matched to was made under: another occurrence after a same-front card was deleted,
    the other normal form of its path or front, or the pre-namespace ID), or None (a note whose GUID is not
    notes2anki's: the plugin's, or one made in Anki)."""
    for key in [_front_key(card)] + _other_form_keys(card):
        for space in dict.fromkeys((namespace, LEGACY)):
            for occurrence in range(limit):
                ident = _implicit(key, occurrence, space)
                if guid_of(ident) == note_guid:
                    return ident
    return None


def free_implicit_guid(card: Card, namespace: str, used: set[str], limit: int = 128) -> str | None:
    """The GUID of ``card``'s implicit ID at its first occurrence whose GUID is not in ``used`` (added to it),
    trying ``limit`` occurrences (128: as many as :func:`id_for_guid` finds the ID of); None when all are used:
    a card made new whose own GUID is another note's."""
    key = _front_key(card)
    for occurrence in range(limit):
        guid = guid_of(_implicit(key, occurrence, namespace))
        if guid not in used:
            used.add(guid)
            return guid
    return None


def card_id(card: Card, namespace: str = LEGACY) -> int:
    """The card's written ID, else its implicit ID (first occurrence) in ``namespace``."""
    return card.id if card.id is not None else implicit_id(card, 0, namespace)


_BASE91 = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
           "!#$%&()*+,-./:;<=>?@[]^_`{|}~")  # genanki's (and Anki's) GUID alphabet


_GUIDS: dict[int, str] = {}  # ID -> GUID: computed in this process, or remembered from the last build
MAX_GUIDS = 1 << 18


def guid_of(identifier: int) -> str:
    """The Anki GUID notes2anki gives the note of a card with this ID: ``genanki.guid_for("notes2anki",
    identifier)`` (the first 8 bytes of the SHA-256 of ``"notes2anki__<id>"`` in base 91), computed here so that
    assigning identities does not import genanki (0.1 s; the package is written in a forked process, see
    ``background.py``); equal to genanki's for every ID (tested). Remembered (a build asks for each card's
    GUID several times), and :func:`remember_guids` brings back those of the last build (20,000 GUIDs: 0.1 s)."""
    value = _GUIDS.get(identifier)
    if value is None:
        if len(_GUIDS) >= MAX_GUIDS:
            _GUIDS.clear()
        number = int.from_bytes(hashlib.sha256(f"notes2anki__{identifier}".encode("utf-8")).digest()[:8], "big")
        digits = []
        while number:
            number, digit = divmod(number, 91)
            digits.append(_BASE91[digit])
        value = _GUIDS[identifier] = "".join(reversed(digits))
    return value


def remember_guids(guids: object) -> None:
    """Take ``guids`` (ID -> GUID, as an earlier build stored them: ``build_memo.last_guids``; anything else
    is ignored) so :func:`guid_of` need not compute them again (``build_memo.last_guids`` checks the types; the
    values are trusted as the build memo is: the user's cache, written by notes2anki)."""
    if isinstance(guids, dict) and len(guids) + len(_GUIDS) <= MAX_GUIDS:
        _GUIDS.update(guids)


def guid(card: Card, namespace: str = LEGACY) -> str:
    """The Anki note GUID of ``card`` (:func:`guid_of` of :func:`card_id`)."""
    return guid_of(card_id(card, namespace))


NO_ID_WARNING = "no ID: editing their front will"  # the warning about cards without an ID (sync --write-ids drops it)


def assign_identities(cards: list[Card], diagnostics: list[Diagnostic], namespace: str = LEGACY,
                      known: frozenset[str] = frozenset(),
                      ids: dict[tuple[str, int, int], int] | None = None,
                      by_text: frozenset[str] = frozenset()) -> list[tuple[Card, str]]:
    """(card, GUID) for every card; two cards with one identity → an error naming both, second dropped.
    ``ids``: :func:`card_ids` of the same arguments (or ``build``'s, see same_front.py), when the caller has it
    already; ``by_text``: the same-front groups (:func:`_front_key`) those IDs tell apart by their text.

    Cards without an ID get a warning: editing their first field makes Anki see a new card.
    """
    ids = card_ids(cards, namespace, known) if ids is None else ids
    seen: dict[str, Card] = {}
    fronts: dict[str, Card] = {}
    out: list[tuple[Card, str]] = []
    unnamed = [c for c in cards if c.id is None]
    for card in cards:
        g = guid_of(ids[card.key])
        first = seen.get(g)
        if first is not None:
            diagnostics.append(Diagnostic(card.file, card.line, "error",
                                          f"same ID as the card at {first.where}; this card skipped "
                                          "(give one of them another ID)"))
            continue
        if card.id is None:
            twin = fronts.setdefault(_front_key(card), card)
            if twin is not card:
                diagnostics.append(Diagnostic(
                    card.file, card.line, "warning",
                    f"same first field as the card at {twin.where}: the two are told apart by their "
                    + ("text as the last build on this machine saw it (elsewhere, by their order only)"
                       if _front_key(card) in by_text else "order only")
                    + ". Run `notes2anki ids` so each keeps its identity."))
        seen[g] = card
        out.append((card, g))
    if unnamed:
        files = sorted({c.file for c in unnamed})
        diagnostics.append(Diagnostic(
            "", 0, "warning",
            f"{counted(len(unnamed), 'card')} in {counted(len(files), 'file')} {'has' if len(unnamed) == 1 else 'have'} "
            f"{NO_ID_WARNING} make a new card in Anki (losing its review history), and so will changing their note "
            "type; after moving or renaming their file a card finds its note by its front, which fails when two "
            "such cards share one. Run `notes2anki ids VAULT` to add IDs."))
    return out
