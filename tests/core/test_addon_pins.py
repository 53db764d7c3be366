"""The add-on pins (hyperpod/config/addon_pins.py): each is an EKS add-on version with a source and the Kubernetes
versions it is confirmed for, and each is what the stack installs by default."""

from __future__ import annotations

import re

import pytest

from hyperpod.addons import prerequisites
from hyperpod.config import addons as addon_config
from hyperpod.config.addon_pins import (
    ADDON_PINS,
    CERT_MANAGER,
    FSX_CSI_DRIVER,
    INFERENCE_OPERATOR,
    METRICS_SERVER,
    OBSERVABILITY,
    POD_IDENTITY_AGENT,
    S3_CSI_DRIVER,
    TASK_GOVERNANCE,
    TRAINING_OPERATOR,
    Pin,
)
from hyperpod.status import expected
from tests.conftest import example_config

MINOR = re.compile(r"1\.\d{1,2}")


def test_every_pin_is_an_addon_version_with_a_source_and_a_well_formed_range():
    for name, pin in ADDON_PINS.items():
        assert addon_config.ADDON_VERSION.fullmatch(pin.version), name
        assert pin.source.strip(), name
        oldest, newest = pin.kubernetes
        assert all(bound is None or MINOR.fullmatch(bound) for bound in pin.kubernetes), name
        if oldest and newest:
            assert tuple(map(int, oldest.split("."))) <= tuple(map(int, newest.split("."))), name


def test_pins_name_the_addons_the_stack_and_the_status_command_use():
    assert set(ADDON_PINS) == {expected.TRAINING_OPERATOR, expected.TASK_GOVERNANCE, expected.OBSERVABILITY,
                               expected.CERT_MANAGER, expected.POD_IDENTITY_AGENT, expected.FSX_CSI_DRIVER,
                               expected.INFERENCE_OPERATOR, expected.S3_CSI_DRIVER, expected.METRICS_SERVER}
    assert (prerequisites.CERT_MANAGER, prerequisites.POD_IDENTITY_AGENT) == (CERT_MANAGER, POD_IDENTITY_AGENT)


def test_pinned_ranges_start_no_earlier_than_what_each_addon_needs():
    for name, minimum in ((TASK_GOVERNANCE, addon_config.TASK_GOVERNANCE_MIN_KUBERNETES),
                          (OBSERVABILITY, addon_config.OBSERVABILITY_MIN_KUBERNETES),
                          (TRAINING_OPERATOR, addon_config.TRAINING_OPERATOR_MIN_KUBERNETES)):
        assert ADDON_PINS[name].covers(f"{minimum[0]}.{minimum[1] - 1}") is False, name


def test_pod_identity_agent_pin_covers_current_clusters():
    """The v1.3.4 pin predated the Kubernetes versions HyperPod runs on now; the pin must be confirmed for 1.35."""
    assert ADDON_PINS[POD_IDENTITY_AGENT].covers("1.35") is True
    assert ADDON_PINS[POD_IDENTITY_AGENT].version != "v1.3.4-eksbuild.1"


@pytest.mark.parametrize("pin, kubernetes, covered", [
    (Pin("v1.0.0-eksbuild.1", ("1.28", "1.35"), "s"), "1.28", True),
    (Pin("v1.0.0-eksbuild.1", ("1.28", "1.35"), "s"), "1.35.2", True),
    (Pin("v1.0.0-eksbuild.1", ("1.28", "1.35"), "s"), "1.27", False),
    (Pin("v1.0.0-eksbuild.1", ("1.28", "1.35"), "s"), "1.36", False),
    (Pin("v1.0.0-eksbuild.1", ("1.30", None), "s"), "1.40", None),
    (Pin("v1.0.0-eksbuild.1", ("1.30", None), "s"), "1.29", False),
    (Pin("v1.0.0-eksbuild.1", (None, None), "s"), "1.33", None),
])
def test_covers_tells_confirmed_refused_and_unknown_apart(pin, kubernetes, covered):
    assert pin.covers(kubernetes) is covered


def test_old_names_are_the_pins():
    assert addon_config.POD_IDENTITY_AGENT_VERSION == ADDON_PINS[POD_IDENTITY_AGENT].version
    assert addon_config.CERT_MANAGER_VERSION == ADDON_PINS[CERT_MANAGER].version
    from hyperpod.config.fsx_lustre import FSX_CSI_DRIVER_VERSION
    assert FSX_CSI_DRIVER_VERSION == ADDON_PINS[FSX_CSI_DRIVER].version
    from hyperpod.config import inference
    assert inference.INFERENCE_OPERATOR_VERSION == ADDON_PINS[INFERENCE_OPERATOR].version
    assert inference.S3_CSI_DRIVER_VERSION == ADDON_PINS[S3_CSI_DRIVER].version
    assert inference.METRICS_SERVER_VERSION == ADDON_PINS[METRICS_SERVER].version
    assert inference.FSX_CSI_DRIVER_VERSION == ADDON_PINS[FSX_CSI_DRIVER].version  # one pin for both uses


@pytest.mark.parametrize("example", ["addons.tfvars.json", "inference.tfvars.json"])
def test_every_addon_the_stack_installs_has_a_pin_and_defaults_to_it(example):
    """What hyperpod-preflight's add-on check (and hyperpod-status) walk: stack_addons of the config."""
    from hyperpod.config import parse_config

    config, _ = parse_config(example_config(example))
    pins = expected.stack_addons(config)
    assert pins
    for name, version, key in pins:
        assert name in ADDON_PINS, name
        assert version == ADDON_PINS[name].version, (name, key)


def test_inference_pins_state_no_kubernetes_range_without_a_source():
    """No AWS source states these add-on builds' Kubernetes range: both bounds stay unconfirmed (preflight says
    "unverified", not "incompatible")."""
    for name in (INFERENCE_OPERATOR, S3_CSI_DRIVER, METRICS_SERVER):
        assert ADDON_PINS[name].kubernetes == (None, None), name
        assert ADDON_PINS[name].covers("1.33") is None, name


def test_the_stack_installs_the_pinned_versions(synth_json):
    document = synth_json(example_config("addons.tfvars.json"))
    installed = {body["addon_name"]: body["addon_version"]
                 for body in document["resource"]["aws_eks_addon"].values()}
    assert installed, "the addons example installs no add-on"
    for name, version in installed.items():
        assert version == ADDON_PINS[name].version, name
