"""Preflight's add-on check covers the inference operator's add-ons: each version it checks is the pin in
hyperpod/config/addon_pins.py (ADDON_PINS), and a pin EKS does not offer fails naming the config key to change."""

from __future__ import annotations

from hyperpod.config.addon_pins import (
    ADDON_PINS,
    CERT_MANAGER,
    FSX_CSI_DRIVER,
    INFERENCE_OPERATOR,
    METRICS_SERVER,
    S3_CSI_DRIVER,
)
from tests.preflight.conftest import clean_world
from tests.preflight.runs import pair, verdict

INFERENCE = {"hyperpod_addons": {"inference_operator": {"enabled": True, "model_buckets": ["model-weights"]}}}
INFERENCE_ADDONS = (CERT_MANAGER, FSX_CSI_DRIVER, INFERENCE_OPERATOR, S3_CSI_DRIVER, METRICS_SERVER)


def test_inference_addon_pins_are_checked_against_what_eks_offers(aws, tmp_path, capsys):
    clean_world(aws)
    for name in INFERENCE_ADDONS:
        aws.addon_versions(name, [ADDON_PINS[name].version])
    newer_operator = "v1.4.0-eksbuild.1"
    operator_pin = ADDON_PINS[INFERENCE_OPERATOR].version
    wrong = {"hyperpod_addons": {"inference_operator": {
        "enabled": True, "model_buckets": ["model-weights"], "version": "v1.1.0-eksbuild.1"}}}
    aws.addon_versions(INFERENCE_OPERATOR, [newer_operator, operator_pin])

    code, right, wrong = pair(aws, tmp_path, capsys, INFERENCE, wrong)

    for name in INFERENCE_ADDONS:
        assert verdict(right[f"addon: {name} version"])[:2] == (
            "ok", f"{ADDON_PINS[name].version} is offered for Kubernetes 1.31"), name
        assert verdict(right[f"addon: {name} not taken"])[0] == "ok", name
    assert verdict(wrong[f"addon: {INFERENCE_OPERATOR} version"]) == (
        "fail", f"v1.1.0-eksbuild.1 is not offered for Kubernetes 1.31; offered: {newer_operator}, {operator_pin}",
        f"set hyperpod_addons.inference_operator.version to {newer_operator} (the newest EKS offers for Kubernetes "
        "1.31)")


def test_an_unoffered_dependency_pin_names_its_own_key(aws, tmp_path, capsys):
    clean_world(aws)
    for name in INFERENCE_ADDONS:
        aws.addon_versions(name, [ADDON_PINS[name].version])
    aws.addon_versions(METRICS_SERVER, ["v0.8.0-eksbuild.1"])
    already = {"hyperpod_addons": {"inference_operator": {**INFERENCE["hyperpod_addons"]["inference_operator"],
                                                          "metrics_server": {"already_installed": True}}}}

    code, right, wrong = pair(aws, tmp_path, capsys, already, INFERENCE)

    assert f"addon: {METRICS_SERVER} version" not in right  # the cluster runs its own: nothing to check
    assert verdict(wrong[f"addon: {METRICS_SERVER} version"]) == (
        "fail", f"{ADDON_PINS[METRICS_SERVER].version} is not offered for Kubernetes 1.31; offered: v0.8.0-eksbuild.1",
        "set hyperpod_addons.inference_operator.metrics_server.version to v0.8.0-eksbuild.1 (the newest EKS offers "
        "for Kubernetes 1.31)")
