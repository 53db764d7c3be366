"""Features switched on in a config whose HyperPod is off: nothing of them is synthesized, which the user must hear."""

from __future__ import annotations

from hyperpod.config.errors import Problem

# The switches of optional features: (key, sub-key) for `{"enabled": true}` blocks, (key, None) for a boolean key.
_SWITCHES = (("hyperpod_autoscaling", "enabled"), ("hyperpod_tiered_storage", "enabled"),
             ("hyperpod_fsx_lustre", "enabled"), ("hyperpod_enable_training_operator", None))


def _switched_on(raw: dict) -> list[str]:
    found = []
    for key, sub in _SWITCHES:
        block = raw.get(key)
        if sub is None and block is True or sub is not None and isinstance(block, dict) and block.get(sub) is True:
            found.append(f"{key}.{sub}" if sub else key)
    addons = raw.get("hyperpod_addons")
    if isinstance(addons, dict):
        found += [f"hyperpod_addons.{name}.enabled" for name, addon in addons.items()
                  if isinstance(addon, dict) and addon.get("enabled") is True]
    return found


def disabled_feature_warnings(raw: dict) -> list[Problem]:
    """One warning naming every feature switched on while `hyperpod_enabled` is false (or left at its default)."""
    if raw.get("hyperpod_enabled") is True:
        return []
    switched_on = _switched_on(raw)
    if not switched_on:
        return []
    state = "false" if "hyperpod_enabled" in raw else "not set (default false)"
    return [Problem("hyperpod_enabled", f"{state}, so nothing of HyperPod is synthesized, and {', '.join(switched_on)} "
                                        f"{'is' if len(switched_on) == 1 else 'are'} switched on for nothing; allowed: "
                                        "hyperpod_enabled true to create them, or switch them off", "warning")]
