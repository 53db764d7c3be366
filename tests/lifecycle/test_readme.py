"""The README's settings table says what lib/settings.sh does, so the documentation cannot drift."""

import re

from tests.lifecycle.node_sandbox import LIFECYCLE_SCRIPTS


def settings_in_script() -> dict[str, str]:
    text = (LIFECYCLE_SCRIPTS / "lib" / "settings.sh").read_text()
    return dict(re.findall(r'^: "\$\{([A-Z_]+):=([^}]*)\}"$', text, flags=re.MULTILINE))


def settings_in_readme() -> dict[str, str]:
    text = (LIFECYCLE_SCRIPTS / "README.md").read_text()
    return dict(re.findall(r"^\| `([A-Z_]+)` \| `([^`]*)` \|", text, flags=re.MULTILINE))


def test_every_setting_is_documented_with_its_default():
    in_script = settings_in_script()
    assert len(in_script) >= 12
    assert settings_in_readme() == in_script


def test_hooks_dir_default_is_documented():
    on_create = (LIFECYCLE_SCRIPTS / "on_create.sh").read_text()
    assert ': "${HOOKS_DIR:=$SCRIPT_DIR/on_create.d}"' in on_create
    assert "| `HOOKS_DIR` | `on_create.d` beside `on_create.sh` |" in (LIFECYCLE_SCRIPTS / "README.md").read_text()
