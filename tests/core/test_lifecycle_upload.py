"""Only what belongs to the lifecycle scripts is uploaded, and replaced scripts outlive the cluster update."""

from pathlib import Path

import pytest

from hyperpod.lifecycle_bucket import read_scripts
from tests.conftest import ROOT, minimal_config

UPLOADED = {"on_create.sh", "lib/steps.sh", "on_create.d/10-mounts.sh", "on_create.d/data/limits.conf"}
NOT_UPLOADED = [
    "README.md", "notes.txt", "setup.sh",                      # beside on_create.sh, but not the entry script
    ".env", ".git/config", "lib/.secret.sh", "on_create.d/.hidden/x.sh",   # hidden files and folders
    "lib/steps.sh~", "lib/.steps.sh.swp", "lib/steps.sh.swp", "on_create.d/#10-mounts.sh#",  # editor leftovers
    "lib/__pycache__/x.cpython-311.pyc", "on_create.d/helper.pyc",
    "cdktf.out/stacks/hyperpod/cdk.tf.json", "tools/build.sh",  # an output folder, other folders
]


def tree(base: Path, paths) -> Path:
    for relative in paths:
        path = base / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {relative}\n")
    return base


def test_only_the_entry_script_lib_and_hooks_are_read(tmp_path):
    scripts = read_scripts(tree(tmp_path / "scripts", [*UPLOADED, *NOT_UPLOADED]))
    assert set(scripts) == UPLOADED
    assert scripts["lib/steps.sh"] == "# lib/steps.sh\n"


@pytest.mark.parametrize("relative", NOT_UPLOADED)
def test_each_stray_file_is_left_out(tmp_path, relative):
    assert relative not in read_scripts(tree(tmp_path / "scripts", ["on_create.sh", relative]))


def test_a_symlink_leaving_the_folder_is_not_followed(tmp_path):
    secret = tmp_path / "credentials"
    secret.write_text("aws_secret_access_key = x\n")
    scripts_dir = tree(tmp_path / "scripts", ["on_create.sh", "lib/steps.sh"])
    (scripts_dir / "on_create.d").mkdir()
    (scripts_dir / "on_create.d" / "20-leak.sh").symlink_to(secret)
    (scripts_dir / "on_create.d" / "10-shared.sh").symlink_to(scripts_dir / "lib" / "steps.sh")
    scripts = read_scripts(scripts_dir)
    assert set(scripts) == {"on_create.sh", "lib/steps.sh", "on_create.d/10-shared.sh"}
    assert scripts["on_create.d/10-shared.sh"] == "# lib/steps.sh\n"


def test_the_shipped_folder_uploads_its_scripts_only():
    scripts = read_scripts(ROOT / "lifecycle_scripts")
    assert "on_create.sh" in scripts and "lib/data_volume.sh" in scripts
    assert "README.md" not in scripts
    assert all(name == "on_create.sh" or name.startswith(("lib/", "on_create.d/")) for name in scripts)


def test_script_objects_are_created_before_the_old_ones_are_destroyed(synth_json):
    tf = synth_json(minimal_config())
    objects = tf["resource"]["aws_s3_object"]
    assert objects and all(body["lifecycle"] == {"create_before_destroy": True} for body in objects.values())
    (cluster,) = tf["resource"]["awscc_sagemaker_cluster"].values()
    assert {f"aws_s3_object.{name}" for name in objects} <= set(cluster["depends_on"])
