"""The change guard: a new synthesis compared with the previous one, and refused when it would replace or break the
running HyperPod cluster. `previous` reads the old synthesis (untrusted), `difference` says what changed, `verdicts`
decides what is dangerous and why (with the area modules `helm_chart`, `shared_storage`, `autoscaling`, `addons`)."""

from hyperpod.change_guard.previous import PreviousSynthesisError, load_previous
from hyperpod.change_guard.verdicts import (
    DangerousChange,
    change_warnings,
    dangerous_changes,
    previous_group_order,
    previous_provisioning_modes,
    region_settings,
    stable_group_order,
)

__all__ = ["DangerousChange", "PreviousSynthesisError", "change_warnings", "dangerous_changes", "load_previous",
           "previous_group_order", "previous_provisioning_modes", "region_settings", "stable_group_order"]
