"""Relative links in the project's Markdown, checked as GitHub renders them: every file or folder a link names is in
the repository, and every `#anchor` names a heading (or an explicit anchor) of the file it points into.

Anchors follow GitHub's slugs (github-slugger): the heading's text lower-cased, every character that is not a letter,
digit, `_`, `-` or space removed, spaces turned into `-`; a repeated slug gets `-1`, `-2`, ... in order."""

from __future__ import annotations

import posixpath
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
HTML_ANCHOR = re.compile(r"""<a\s[^>]*?(?:name|id)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
# [text](destination "title") and ![alt](destination); the destination may be wrapped in <>.
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*(<[^>]*>|\S+)", re.MULTILINE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
NOT_IN_SLUG = re.compile(r"[^\w\- ]")


def project_files(root: Path) -> set[str]:
    """The repository's files as a clone sees them (tracked, plus new files not ignored), relative, with `/`."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root, check=True,
                            capture_output=True, text=True).stdout
    return {name for name in listed.split("\0") if name and (root / name).is_file()}


def _outside_code(text: str) -> str:
    """The text with fenced code blocks and inline code spans blanked, line numbers kept."""
    kept, fence = [], None
    for line in text.splitlines():
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)[0] * len(opening.group(1))
            kept.append("")
            continue
        if fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
            kept.append("")
            continue
        kept.append(INLINE_CODE.sub(lambda match: " " * len(match.group(0)), line))
    return "\n".join(kept)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text (Markdown links and emphasis count as their text)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return NOT_IN_SLUG.sub("", text.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor a Markdown file offers: its headings' slugs (repeats numbered) and explicit HTML anchors."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    fence, previous = None, ""
    for line in text.splitlines():
        opening = FENCE.match(line)
        if fence is None and opening:
            fence, previous = opening.group(1)[0] * len(opening.group(1)), ""
            continue
        if fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
            continue
        heading = ATX_HEADING.match(line)
        underline = SETEXT_UNDERLINE.match(line)
        text_of = (heading.group(1) or "") if heading else None
        if text_of is None and underline and previous.strip() and not previous.lstrip().startswith(("|", "-", "*")):
            text_of = previous
        if text_of is not None:
            base = slug(text_of)
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        found.update(HTML_ANCHOR.findall(line))
        previous = line
    return found


def links(text: str) -> list[tuple[int, str]]:
    """(line number, destination) of every inline link, image and reference definition outside code; a link's text
    may wrap over lines."""
    prose = _outside_code(text)
    found = [(prose.count("\n", 0, match.start(1)) + 1, match.group(1)) for match in INLINE_LINK.finditer(prose)]
    found += [(prose.count("\n", 0, match.start(1)) + 1, match.group(1))
              for match in REFERENCE_DEFINITION.finditer(prose)]
    return sorted((line, destination.strip("<>")) for line, destination in found)


def broken_links(root: Path, source: str, files: set[str]) -> list[str]:
    """One message per relative link in `source` (a path relative to `root`) that GitHub would render broken."""
    folders = {posixpath.dirname(name) for name in files}
    folders |= {folder.rsplit("/", depth)[0] for folder in folders for depth in range(1, folder.count("/") + 1)}
    problems = []
    for line, destination in links((root / source).read_text()):
        if SCHEME.match(destination) or destination.startswith("//"):
            continue  # a URL: not this checker's business
        path, _, anchor = unquote(destination).partition("#")
        where = f"{source}:{line}: link {destination}"
        target = posixpath.normpath(posixpath.join(posixpath.dirname(source), path)) if path else source
        if path.startswith("/") or target == ".." or target.startswith("../"):
            problems.append(f"{where}: points outside the repository")
            continue
        if target not in files and target not in folders and target != ".":
            problems.append(f"{where}: no file or folder {target} in the repository")
            continue
        if anchor and target in files and target.endswith(".md") and anchor not in anchors((root / target).read_text()):
            problems.append(f"{where}: {target} has no heading whose anchor is #{anchor}")
    return problems
