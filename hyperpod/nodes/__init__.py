"""hyperpod-nodes: operate the nodes of a running HyperPod cluster (list, reboot, replace, remove, health-check), and
the event and operation history hyperpod-status --events/--operations shows.

Kept free of cdktf and provider bindings so the command starts fast; shares hyperpod-status's AWS clients, errors,
exit codes and output style.
"""
