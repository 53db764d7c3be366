"""The config edit: one number changes, every other byte stays; writes are all-or-nothing."""

import json
import os
from pathlib import Path

import pytest

from hyperpod.nodes import config_file
from hyperpod.nodes.config_file import ConfigChanged, lowered_counts, read_config_file, write_backup, write_config
from hyperpod.commands.errors import UsageError
from tests.conftest import minimal_config

# A hand-written file: odd spacing, tabs, CRLF, key order that is not alphabetical, unicode, an escaped quote, a
# number that looks like the count elsewhere, instance_count before and after other keys.
HAND_WRITTEN = (
    '{\r\n'
    '\t"region" :"us-west-2",  "eks_cluster_name": "ml-platform",\r\n'
    '\t"hyperpod_enabled": true,\r\n'
    '\t"hyperpod_cluster_name": "ml-cluster",\r\n'
    '\t"tags": {"team": "r\\u00e9seau A\\/b", "instance_count": "4"},\r\n'
    '\t"hyperpod_instance_groups": [\r\n'
    '\t\t{ "instance_count" :   4 , "name": "gpu", "instance_type": "ml.g5.8xlarge",\r\n'
    '\t\t  "min_instance_count": 1 },\r\n'
    '\t\t{"name":"cpu","instance_type":"ml.m5.2xlarge","instance_count":4}\r\n'
    '\t]\r\n'
    '}'
)


def _read(path: Path):
    return read_config_file(path)[0]


def test_only_the_count_changes_byte_for_byte(tmp_path):
    path = tmp_path / "hand.tfvars.json"
    path.write_bytes(HAND_WRITTEN.encode())
    new = lowered_counts(_read(path), {"gpu": 2})
    assert new == HAND_WRITTEN.replace('"instance_count" :   4 ,', '"instance_count" :   2 ,').encode()
    new = lowered_counts(_read(path), {"cpu": 3, "gpu": 0})
    assert new.decode() == (HAND_WRITTEN.replace('"instance_count" :   4 ,', '"instance_count" :   0 ,')
                            .replace('"instance_count":4}', '"instance_count":3}'))


def test_byte_order_mark_and_missing_trailing_newline_are_kept(tmp_path):
    path = tmp_path / "bom.tfvars.json"
    body = json.dumps(minimal_config(), indent=4)
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    new = lowered_counts(_read(path), {"gpu": 1})
    assert new == b"\xef\xbb\xbf" + body.replace('"instance_count": 2', '"instance_count": 1').encode()


def test_a_group_the_file_lacks_is_refused(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(minimal_config()))
    with pytest.raises(UsageError, match="no hyperpod_instance_groups entry named 'cpu' with an instance_count"):
        lowered_counts(_read(path), {"cpu": 1})


def test_an_invalid_config_is_refused_with_its_problems(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(minimal_config(hyperpod_instance_groups=[
        {"name": "gpu", "instance_type": "ml.g5.8xlarge", "instance_count": -1}])))
    with pytest.raises(UsageError) as error:
        read_config_file(path)
    assert "hyperpod_instance_groups[0].instance_count" in error.value.reason
    assert error.value.reason.startswith(f"--config: {path}: 1 problem(s)")


def test_write_keeps_a_backup_and_the_file_mode(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(minimal_config(), indent=2))
    os.chmod(path, 0o640)
    config = _read(path)
    backup = write_backup(config)
    write_config(config, lowered_counts(config, {"gpu": 1}))
    assert backup.read_bytes() == config.data
    assert json.loads(path.read_text())["hyperpod_instance_groups"][0]["instance_count"] == 1
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json", "c.json.bak"]  # no temporary file left


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(minimal_config(), indent=2))
    config = _read(path)
    new = lowered_counts(config, {"gpu": 1})
    path.write_text(path.read_text() + " ")  # someone saved the file meanwhile
    with pytest.raises(ConfigChanged, match="changed since it was read"):
        write_config(config, new)
    assert path.read_text().endswith("} ")


def test_a_config_that_cannot_be_backed_up_is_refused(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(minimal_config()))
    (tmp_path / "c.json.bak").mkdir()  # the backup cannot be written (root ignores permissions; this it cannot)
    with pytest.raises(UsageError, match=r"--config: cannot write .*c\.json\.bak"):
        write_backup(_read(path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json", "c.json.bak"]


class _Stop(BaseException):
    """Stands for Ctrl-C or a crash at one step of the write."""


def _failing(real, when):
    def call(*args, **kwargs):
        if when["now"]:
            raise _Stop()
        return real(*args, **kwargs)
    return call


@pytest.mark.parametrize("step", ["mkstemp", "write", "fsync", "chmod", "check", "replace", "fsync_directory"])
def test_an_interrupted_write_leaves_the_old_or_the_new_file(tmp_path, monkeypatch, step):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(minimal_config(), indent=2) + "\n")
    config = _read(path)
    new = lowered_counts(config, {"gpu": 1})
    when = {"now": True}
    if step == "mkstemp":
        monkeypatch.setattr(config_file.tempfile, "mkstemp", _failing(config_file.tempfile.mkstemp, when))
    elif step == "write":
        real_fdopen = os.fdopen

        def fdopen(*args, **kwargs):
            stream = real_fdopen(*args, **kwargs)
            real_write = stream.write

            def write(data):
                real_write(data[: len(data) // 2])  # half of it reached the temporary file
                raise _Stop()
            stream.write = write
            return stream
        monkeypatch.setattr(config_file.os, "fdopen", fdopen)
    elif step == "fsync":
        monkeypatch.setattr(config_file.os, "fsync", _failing(os.fsync, when))
    elif step == "chmod":
        monkeypatch.setattr(config_file.os, "chmod", _failing(os.chmod, when))
    elif step == "check":
        calls = {"n": 0}
        real = config_file.ensure_unchanged

        def second_check_fails(config):
            calls["n"] += 1
            if calls["n"] == 2:  # the check just before the rename
                raise _Stop()
            return real(config)
        monkeypatch.setattr(config_file, "ensure_unchanged", second_check_fails)
    elif step == "replace":
        monkeypatch.setattr(config_file.os, "replace", _failing(os.replace, when))
    elif step == "fsync_directory":
        monkeypatch.setattr(config_file, "_fsync_directory", _failing(config_file._fsync_directory, when))
    with pytest.raises(_Stop):
        write_config(config, new)
    assert path.read_bytes() in (config.data, new)
    if step == "fsync_directory":
        assert path.read_bytes() == new  # the rename had happened
    else:
        assert path.read_bytes() == config.data
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]  # the temporary file is gone


def test_a_symlinked_config_stays_a_symlink(tmp_path):
    real = tmp_path / "configs" / "prod.json"
    real.parent.mkdir()
    real.write_text(json.dumps(minimal_config(), indent=2))
    link = tmp_path / "prod.json"
    link.symlink_to(real)
    config = _read(link)
    write_config(config, lowered_counts(config, {"gpu": 1}))
    assert link.is_symlink()
    assert json.loads(real.read_text())["hyperpod_instance_groups"][0]["instance_count"] == 1
