"""`notes2anki report`: one offline HTML page, checked in the real headless Chromium (Debian's `chromium`).

The page is opened with every request routed to a local proxy that serves nothing: any fetch the page tried
(a CDN script, a web font, a remote image) would show up there. The DOM after the page's script ran is
checked for the topic map (one point per card) and the duplicate pairs; a screenshot is kept.
"""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.config import load_config
from notes2anki.parsers import load_vault

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")

BROKEN = ("# Problems\n\nSTART\nBasik\nA card with a mistyped note type\nBack: x\nEND\n\n"
          "START\nBasic\nWhat does this figure show?\nBack: ![[missing-figure.png]]\n"
          "<script>document.title = 'script from a card ran'</script>\nEND\n")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """(vault, report.html path, dupes --json of the same vault) for examples/vault plus one note with
    problems; embeddings in a module cache, so the report reuses what `dupes` computed."""
    base = tmp_path_factory.mktemp("report")
    vault = base / "vault"
    shutil.copytree(REPO / "examples" / "vault", vault)
    (vault / "Problems.md").write_text(BROKEN, encoding="utf-8")
    env = {"NOTES2ANKI_CACHE_DIR": str(base / "cache"), "NOTES2ANKI_STATE_DIR": str(base / "state")}
    dupes = CliRunner().invoke(cli_main, ["dupes", str(vault), "--json"], env=env)
    assert dupes.exit_code == 0, dupes.output  # the vault has an error, shown; dupes' exit code is its own
    out = base / "report.html"
    result = CliRunner().invoke(cli_main, ["report", str(vault), "-o", str(out)], env=env)
    assert result.exit_code == 1, result.output  # the vault has an error; the page is still written
    assert "Problems.md:4: error" in result.stderr
    assert f"written to {out}" in " ".join(result.stdout.split())
    return vault, out, json.loads(dupes.stdout)


# Chromium's own background services, contacted whatever the page (time, component and account updates).
BROWSER_HOSTS = {"clients2.google.com", "update.googleapis.com", "accounts.google.com"}


def _host(request: bytes) -> str:
    first = request.split(b"\r\n", 1)[0].decode("latin-1").split()
    target = first[1] if len(first) > 1 else ""
    return re.sub(r"^[a-z]+://", "", target).split("/", 1)[0].rsplit(":", 1)[0]


class _NothingServer:
    """A TCP server on 127.0.0.1 that records every connection and answers none (Chromium's proxy)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(5)  # (under load a request can take more than a second to arrive)
            try:
                self.requests.append(conn.recv(2048))
            except OSError:
                self.requests.append(b"")
            conn.close()

    def page_hosts(self) -> list[str]:
        """Hosts asked for, other than the browser's own services. A connection that sent no request line at all
        (a preconnect Chromium opened and closed: seen once in CI under load) asked for nothing."""
        return [h for h in map(_host, self.requests) if h not in BROWSER_HOSTS and h != ""]

    def close(self):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def _chromium(page: Path, profile: Path, *extra: str, timeout: float = 120) -> tuple[subprocess.CompletedProcess, _NothingServer]:
    proxy = _NothingServer()
    try:
        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", f"--proxy-server=http://127.0.0.1:{proxy.port}",
                "--proxy-bypass-list=<-loopback>", "--enable-logging=stderr", "--v=0", *extra, page.as_uri()]
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    finally:
        proxy.close()
    return done, proxy


def test_the_page_has_no_external_reference(report):
    _, page, _ = report
    text = page.read_text("utf-8")
    assert '<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;' in text
    assert not re.search(r"<link\b|@import|url\(", text)
    for attr, value in re.findall(r"\b(src|href)=\"([^\"]*)\"", text):
        assert value.startswith(("obsidian://", "#", "data:")), (attr, value)
    assert not re.search(r"https?://", text)


def test_chromium_loads_the_page_offline_with_the_map_and_the_duplicates(report, tmp_path):
    vault, page, dupes = report
    done, proxy = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0, done.stderr[-3000:]
    dom = done.stdout
    assert proxy.page_hosts() == [], proxy.requests  # the page fetched nothing
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line], console
    assert 'data-ready="1"' in dom  # the page's own script ran to the end
    assert "script from a card ran" not in dom  # a card's <script> did not

    cards = [c for c in load_vault(vault, load_config(vault)).cards if not c.delete]
    points = re.findall(r'<circle class="pt"[^>]*data-where="([^"]+)"', dom)
    assert len(points) == len(cards) and sorted(points) == sorted(c.where for c in cards)
    assert f'<span id="map-count">{len(cards)}</span>' in dom
    assert len(set(re.findall(r'<circle class="pt" data-t="(\d+)"', dom))) >= 3  # several topics
    assert re.search(r'<text class="tl"[^>]*>[^<]+</text>', dom)  # topics are labelled on the map

    pairs = re.findall(r'<div class="pair">(.*?)</div></div></div>', dom, re.S)
    assert len(pairs) == len(dupes["pairs"]) >= 2
    for pair, expected in zip(pairs, dupes["pairs"]):
        for side in ("a", "b"):
            assert f'{expected[side]["file"]}:{expected[side]["line"]}' in pair
    assert "mitochondria" in dom.lower()
    assert all(src.startswith("data:") for src in re.findall(r'<img[^>]* src="([^"]*)"', dom))  # inside the page

    assert "Problems.md:4</a> unknown note type" in dom
    assert 'href="obsidian://open?vault=vault&amp;file=Problems"' in dom
    assert "missing-figure.png" in dom


def test_the_proxy_would_see_a_page_that_fetches(tmp_path):
    """Control for the check above: a page with a CDN script and a remote image is caught."""
    page = tmp_path / "fetching.html"
    page.write_text('<!DOCTYPE html><html><head><script src="https://cdn.example.org/lib.js"></script></head>'
                    '<body><img src="http://images.example.net/a.png"></body></html>', encoding="utf-8")
    done, proxy = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0
    assert {"cdn.example.org", "images.example.net"} <= set(proxy.page_hosts())


def test_screenshot_is_kept_as_an_artifact(report, tmp_path_factory):
    _, page, _ = report
    shot = tmp_path_factory.mktemp("artifacts") / "report.png"
    done, proxy = _chromium(page, tmp_path_factory.mktemp("profile"), "--hide-scrollbars",
                            "--window-size=1280,5200", f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert proxy.page_hosts() == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    print(f"report screenshot: {shot}")


def test_report_refuses_to_write_into_the_vault_or_over_another_file(make_vault, tmp_path):
    root = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    inside = CliRunner().invoke(cli_main, ["report", str(root), "-o", str(root / "r.html"), "--no-semantic"])
    assert inside.exit_code == 2 and "inside the vault" in inside.stderr
    assert not (root / "r.html").exists()
    other = tmp_path / "notes.txt"
    other.write_text("my notes", encoding="utf-8")
    over = CliRunner().invoke(cli_main, ["report", str(root), "-o", str(other), "--no-semantic"])
    assert over.exit_code == 2 and "--force" in over.stderr
    assert other.read_text(encoding="utf-8") == "my notes"
    page = tmp_path / "r.html"
    assert CliRunner().invoke(cli_main, ["report", str(root), "-o", str(page), "--no-semantic"]).exit_code == 0
    again = CliRunner().invoke(cli_main, ["report", str(root), "-o", str(page), "--no-semantic"])
    assert again.exit_code == 0  # an earlier report is replaced


def test_many_duplicate_pairs_are_capped_with_a_count(make_vault, tmp_path):
    """An exact group of 30 cards is 435 pairs: the page draws the first PAIRS_SHOWN and says how many more."""
    from notes2anki.report.page import PAIRS_SHOWN

    root = make_vault({f"n{k:02d}.md": "START\nBasic\nWhat is the powerhouse of the cell?\nBack: mitochondria\nEND\n"
                       for k in range(30)})
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli_main, ["report", str(root), "-o", str(out)],
                                env={"NOTES2ANKI_CACHE_DIR": str(tmp_path / "cache")})
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert text.count('<div class="pair">') == PAIRS_SHOWN < 435
    assert f"{435 - PAIRS_SHOWN:,} more pairs" in text and "<b>435</b>duplicate pairs" in text
