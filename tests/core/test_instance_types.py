"""Instance types: the config accepts what the SageMaker API model accepts (ClusterInstanceType), the data file is
the model's enum, the accelerator table is consistent with it and with the pinned chart, and a type whose facts are
unknown is accepted with a note instead of refused."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from hyperpod import instance_types
from hyperpod.app.summary import summary
from hyperpod.config import parse_config
from tests.conftest import ROOT, minimal_config
from tests.core.test_config import assert_problem

DATA = ROOT / "hyperpod" / "config" / "data"


def generator():
    path = ROOT / "scripts" / "cluster_instance_types.py"
    spec = importlib.util.spec_from_file_location("cluster_instance_types", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def with_type(instance_type: str, **group) -> dict:
    return minimal_config(hyperpod_instance_groups=[
        {"name": "workers", "instance_type": instance_type, "instance_count": 2, **group}])


def test_data_file_is_the_locked_botocore_models_enum():
    """Fails when botocore moves (uv.lock) and the copy was not regenerated: run `make instance-types`."""
    module = generator()
    assert (DATA / "cluster_instance_types.json").read_text(encoding="utf-8") == module.render(module.build()), \
        "hyperpod/config/data/cluster_instance_types.json is stale: run `make instance-types`"


def test_regeneration_check_fails_on_a_stale_file(tmp_path, monkeypatch):
    module = generator()
    stale = tmp_path / "cluster_instance_types.json"
    content = module.build()
    content["instance_types"] = content["instance_types"][1:]
    stale.write_text(module.render(content))
    monkeypatch.setattr(module, "DATA", stale)
    assert module.main(["--check"]) == 1
    assert module.main([]) == 0 and module.main(["--check"]) == 0
    assert json.loads(stale.read_text())["instance_types"] == module.build()["instance_types"]


@pytest.mark.parametrize("instance_type", ["ml.g4dn.12xlarge", "ml.c8g.16xlarge", "ml.g7.48xlarge", "r5d.16xlarge"])
def test_types_the_api_model_accepts_are_accepted(instance_type):
    config, _ = parse_config(with_type(instance_type))
    assert config.hyperpod_instance_groups[0].instance_type == instance_types.normalize(instance_type)


@pytest.mark.parametrize("instance_type", ["ml.p3.16xlarge", "ml.g4dn.metal", "g5.96xlarge", "ml.G5.xlarge"])
def test_types_the_api_model_refuses_are_refused(instance_type):
    assert_problem(with_type(instance_type), "hyperpod_instance_groups[0].instance_type",
                   f'got "{instance_type}"', "(ClusterInstanceType)")


def test_accelerator_table_names_only_types_the_model_accepts():
    assert set(instance_types.catalog()) <= instance_types.cluster_instance_types()


def test_every_family_and_plugin_list_names_its_source():
    table = json.loads((DATA / "instance_accelerators.json").read_text())
    for family, facts in table["families"].items():
        assert facts["source"].strip(), family
        assert facts["accelerator"] in ("gpu", "trainium", "none"), family
    assert "@011ca927" in table["device_plugins"]["_source"]


def test_chart_plugins_cover_exactly_the_tables_gpus_and_trainium_it_schedules_on():
    """The nvidia list is every known GPU type but g4dn (the pinned chart omits it); neuron misses trn2.3xlarge."""
    known = instance_types.catalog()
    gpus = {n for n, k in known.items() if k.accelerator == "gpu"}
    trainium = {n for n, k in known.items() if k.accelerator == "trainium"}
    nvidia = {n for n in gpus if instance_types.device_plugins_needed([n]) >= {"nvidia"}}
    neuron = {n for n in trainium if "neuron" in instance_types.device_plugins_needed([n])}
    assert gpus - nvidia == {n for n in gpus if n.startswith("ml.g4dn.")}
    assert trainium - neuron == {"ml.trn2.3xlarge"}


@pytest.mark.parametrize("types, plugins", [
    (["ml.p5.48xlarge"], {"nvidia", "efa"}),
    (["ml.g5.xlarge"], {"nvidia"}),
    (["ml.trn1.32xlarge", "ml.c5.large"], {"neuron", "efa"}),
    (["ml.c6i.32xlarge"], set()),       # EFA-capable, but the chart's EFA plugin does not schedule on it
    (["ml.g4dn.12xlarge"], set()),      # GPUs, but the chart's NVIDIA plugin does not schedule on it
    (["ml.c8g.16xlarge"], set()),       # facts unknown
])
def test_device_plugins_follow_the_charts_lists(types, plugins):
    assert instance_types.device_plugins_needed(types) == plugins


def test_summary_says_what_is_unknown_or_unserved(tmp_path):
    config, _ = parse_config(minimal_config(hyperpod_instance_groups=[
        {"name": "gpu", "instance_type": "ml.p5.48xlarge", "instance_count": 2},
        {"name": "t4", "instance_type": "ml.g4dn.12xlarge", "instance_count": 1},
        {"name": "arm", "instance_type": "c8g.16xlarge", "instance_count": 3}]))
    text = summary(config, tmp_path / "cdk.tf.json")
    assert "total: 3 group(s), 6 instance(s), 20 GPUs (not counted: ml.c8g.16xlarge, accelerators unknown)" in text
    assert "note: ml.c8g.16xlarge: accelerator facts unknown" in text
    assert "note: ml.g4dn.12xlarge: the pinned HyperPod chart's NVIDIA device plugin does not schedule" in text
    assert "ml.p5.48xlarge:" not in text


def test_summary_of_known_served_types_has_no_notes(tmp_path):
    config, _ = parse_config(with_type("ml.g5.48xlarge"))
    assert "note:" not in summary(config, tmp_path / "cdk.tf.json")


def test_deep_health_checks_on_a_type_with_unknown_accelerators_warn():
    config, warnings = parse_config(with_type("ml.g7.48xlarge", deep_health_checks=["InstanceStress"]))
    assert config.hyperpod_instance_groups[0].deep_health_checks == ["InstanceStress"]
    assert [w.path for w in warnings] == ["hyperpod_instance_groups[0].deep_health_checks"]
    assert "ml.g7.48xlarge, whose accelerators this tool does not know" in warnings[0].message


def test_a_type_the_table_lacks_synthesizes(synth_json):
    document = synth_json(with_type("ml.g7.48xlarge"))
    (cluster,) = document["resource"]["awscc_sagemaker_cluster"].values()
    assert cluster["instance_groups"][0]["instance_type"] == "ml.g7.48xlarge"


def test_data_files_are_read_lazily_and_botocore_never():
    """Importing the module reads nothing; validating a config reads the small data files, not botocore's model."""
    code = ("import sys; from hyperpod import instance_types as t; "
            "assert t.cluster_instance_types.cache_info().currsize == 0 and t.catalog.cache_info().currsize == 0; "
            "from hyperpod.config import parse_config; from tests.conftest import minimal_config; "
            "parse_config(minimal_config()); "
            "assert t.cluster_instance_types.cache_info().currsize == 1; "
            "assert not [m for m in sys.modules if m.startswith('botocore')], 'botocore imported'")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_catalog_name_still_works_for_library_users():
    assert instance_types.CATALOG["ml.p5.48xlarge"].accelerators == 8
    with pytest.raises(AttributeError):
        instance_types.NOT_A_NAME  # noqa: B018
