"""Lowering one instance group's `instance_count` in a tfvars-style JSON config, in place and safely.

Every other byte of the file stays as the user wrote it (key order, indentation, spacing, a UTF-8 byte order mark,
line endings): the number is found by a parse that records where each value sits, replaced textually, and the result
is parsed again and must equal the original document with only that count changed. Writing goes through a `.bak`
copy and a temporary file in the same directory renamed over the config (os.replace is atomic on one file system), so
an interrupted run leaves the old file or the new one, never a mix.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from dataclasses import dataclass
from json.decoder import scanstring
from pathlib import Path

from hyperpod.commands.errors import UsageError

_BOM = b"\xef\xbb\xbf"
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")  # what json.loads (and so load_json) accepts


class ConfigChanged(UsageError):
    """The config file is no longer the bytes that were read (someone edited it meanwhile)."""


@dataclass(frozen=True)
class ConfigFile:
    """A config as read: its path, exact bytes and parsed document."""

    path: Path
    data: bytes
    document: dict


@dataclass
class _Span:
    """Where a value sits in the text; containers also record their members."""

    start: int
    end: int
    members: dict | list | None = None


class _Locator:
    """A JSON parser that records each value's character span (json.loads gives values, not positions)."""

    def __init__(self, text: str):
        self.text = text

    def _skip(self, index: int) -> int:
        return _WHITESPACE.match(self.text, index).end()

    def value(self, index: int) -> _Span:
        index = self._skip(index)
        char = self.text[index:index + 1]
        if char == "{":
            return self._object(index)
        if char == "[":
            return self._array(index)
        if char == '"':
            _, end = scanstring(self.text, index + 1)
            return _Span(index, end)
        number = _NUMBER.match(self.text, index)
        if number:
            return _Span(index, number.end())
        literal = next((word for word in _LITERALS if self.text.startswith(word, index)), None)
        if literal is None:
            raise ValueError(f"unexpected {char!r} at character {index}")
        return _Span(index, index + len(literal))

    def _object(self, start: int) -> _Span:
        members: dict[str, _Span] = {}
        index = self._skip(start + 1)
        if self.text[index] == "}":
            return _Span(start, index + 1, members)
        while True:
            if self.text[index] != '"':
                raise ValueError(f"expected a key at character {index}")
            key, index = scanstring(self.text, index + 1)
            index = self._skip(index)
            if self.text[index] != ":":
                raise ValueError(f"expected ':' at character {index}")
            member = self.value(index + 1)
            members[key] = member  # duplicate keys never get here: load_json refuses them
            index = self._skip(member.end)
            if self.text[index] == "}":
                return _Span(start, index + 1, members)
            if self.text[index] != ",":
                raise ValueError(f"expected ',' or '}}' at character {index}")
            index = self._skip(index + 1)

    def _array(self, start: int) -> _Span:
        items: list[_Span] = []
        index = self._skip(start + 1)
        if self.text[index] == "]":
            return _Span(start, index + 1, items)
        while True:
            item = self.value(index)
            items.append(item)
            index = self._skip(item.end)
            if self.text[index] == "]":
                return _Span(start, index + 1, items)
            if self.text[index] != ",":
                raise ValueError(f"expected ',' or ']' at character {index}")
            index += 1


def read_config_file(path: Path) -> tuple[ConfigFile, object]:
    """The file as read and its validated HyperPodConfig; UsageError naming the file and every problem otherwise."""
    from hyperpod.app import configs

    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"--config: {path}: cannot read it: {error.strerror}") from None
    try:
        model, _warnings = configs.read_config(path)
    except configs.UsageError as error:
        raise UsageError(f"--config: {error}") from None
    if path.read_bytes() != data:
        raise ConfigChanged(f"--config: {path} changed while it was being read; run the command again")
    document = json.loads(data.decode("utf-8-sig"))  # read_config accepted these very bytes
    return ConfigFile(path, data, document), model


def lowered_counts(config: ConfigFile, new_counts: dict[str, int]) -> bytes:
    """The file's bytes with `instance_count` of each named group set to its new value and nothing else changed."""
    bom = _BOM if config.data.startswith(_BOM) else b""
    text = config.data[len(bom):].decode("utf-8")
    try:
        root = _Locator(text).value(0)
    except (ValueError, IndexError, RecursionError) as error:
        raise UsageError(f"--config: {config.path}: cannot locate values in it ({error})") from None
    groups_span = (root.members or {}).get("hyperpod_instance_groups")
    groups = config.document.get("hyperpod_instance_groups")
    if groups_span is None or not isinstance(groups_span.members, list) or not isinstance(groups, list):
        raise UsageError(f"--config: {config.path}: hyperpod_instance_groups is not a list")
    expected = copy.deepcopy(config.document)
    edits = []
    for name, count in new_counts.items():
        index = next((i for i, g in enumerate(groups) if isinstance(g, dict) and g.get("name") == name), None)
        span = groups_span.members[index].members.get("instance_count") if index is not None else None
        if span is None:
            raise UsageError(f"--config: {config.path}: no hyperpod_instance_groups entry named {name!r} with an "
                             "instance_count")
        edits.append((span.start, span.end, str(count)))
        expected["hyperpod_instance_groups"][index]["instance_count"] = count
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    new_data = bom + text.encode("utf-8")
    # The edit must be exactly what was meant: the same document with only these counts changed.
    if json.loads(new_data[len(bom):].decode("utf-8")) != expected:
        raise UsageError(f"--config: {config.path}: editing instance_count in place did not give the expected "
                         "document; change it by hand")
    return new_data


def _fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # some platforms cannot open directories; the rename itself is still atomic
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _replace_atomically(target: Path, data: bytes, mode_from: Path, before_rename=None) -> None:
    """Write `data` to a temporary file beside `target`, flush it to disk, then rename it over `target`."""
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, os.stat(mode_from).st_mode & 0o7777)
        if before_rename is not None:
            before_rename()
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(target.parent)


def backup_path(config: ConfigFile) -> Path:
    return config.path.with_name(config.path.name + ".bak")


def ensure_unchanged(config: ConfigFile) -> None:
    try:
        current = config.path.read_bytes()
    except OSError as error:
        raise ConfigChanged(f"--config: {config.path}: cannot read it again: {error.strerror}") from None
    if current != config.data:
        raise ConfigChanged(f"--config: {config.path} changed since it was read")


def write_backup(config: ConfigFile) -> Path:
    """The original bytes as `<config>.bak`; doubles as the proof that the directory can be written."""
    target = backup_path(config)
    if not os.access(config.path, os.W_OK):
        raise UsageError(f"--config: {config.path} is not writable; the new instance_count could not be written back")
    try:
        _replace_atomically(target, config.data, config.path)
    except OSError as error:
        raise UsageError(f"--config: cannot write {target}: {error.strerror or error}") from None
    return target


def write_config(config: ConfigFile, new_data: bytes) -> None:
    """Replace the config with `new_data`, refusing (ConfigChanged) when the file is no longer what was read."""
    ensure_unchanged(config)
    target = config.path.resolve()  # a symlinked config stays a symlink: the file it points to is replaced
    try:
        _replace_atomically(target, new_data, target, before_rename=lambda: ensure_unchanged(config))
    except OSError as error:
        raise UsageError(f"--config: cannot write {config.path}: {error.strerror or error}") from None
