"""Failures name the step and the reason, reach the log file, and exit non-zero within bounded time."""

import re

import pytest

LOG = "/var/log/provision/provisioning.log"


def assert_failed_in_step(node, run, step: str, reason: str):
    assert run.returncode != 0
    message = f"ERROR: step '{step}' failed: "
    assert message in run.output
    error_line = next(line for line in run.output.splitlines() if message in line)
    assert re.search(reason, error_line), error_line
    # Flushed: the file holds the error and the final verdict as its last line.
    log = node.read(LOG)
    assert error_line in log.splitlines()
    assert "on_create.sh FAILED" in log.splitlines()[-1]
    assert "node configured" not in log
    assert list(node.tmp.iterdir()) == []


NOT_MOUNTED_AFTER_1S = r"data volume /opt/sagemaker is not mounted after 1s \(VOLUME_WAIT_SECONDS\)"


def test_volume_that_never_mounts_fails_once_the_bound_has_passed(al2_node):
    """Real time, real sleeps: the bound is a floor on the run's length. No upper bound is asserted: a loaded
    machine may take longer, and that is not a defect."""
    al2_node.volume_mounted_from_check(None)
    run = al2_node.run(VOLUME_WAIT_SECONDS="1", VOLUME_POLL_SECONDS="0.1")
    assert_failed_in_step(al2_node, run, "wait for data volume /opt/sagemaker", NOT_MOUNTED_AFTER_1S)
    assert run.seconds >= 1
    assert "waiting for data volume /opt/sagemaker to be mounted (0.00s so far)" in run.output
    # Nothing moved while the volume was missing.
    assert al2_node.path("/var/lib/kubelet").is_dir() and not al2_node.path("/var/lib/kubelet").is_symlink()
    assert 'root = "/var/lib/containerd"' in al2_node.read("/etc/containerd/config.toml")
    # The first check never ends a non-zero bound, however slow it was: at least one more follows.
    assert len(al2_node.mount_checks()) >= 2
    assert set(al2_node.mount_checks()) == {f"-q {al2_node.path('/opt/sagemaker')}"}


def test_a_check_exactly_at_the_bound_is_not_the_last(al2_node):
    """On a clock only the checks advance (0.5 s each): checks begin at 0, 0.5, 1.00 and 1.5 s. Readings exactly
    1.00 s apart may be 0.99 s of real time (the clock ticks in hundredths), so the check at 1.00 s does not end
    a 1 s wait; the one at 1.5 s does."""
    al2_node.volume_mounted_from_check(None)
    run = al2_node.run(VOLUME_WAIT_SECONDS="1", VOLUME_POLL_SECONDS="0.01", **al2_node.fake_clock(check_seconds=0.5))
    assert_failed_in_step(al2_node, run, "wait for data volume /opt/sagemaker", NOT_MOUNTED_AFTER_1S)
    assert len(al2_node.mount_checks()) == 4
    waits = [line.split("] ", 1)[1] for line in run.output.splitlines() if "waiting for data volume" in line]
    assert waits == [f"waiting for data volume /opt/sagemaker to be mounted ({seconds}s so far)"
                     for seconds in ("0.00", "0.50", "1.00")]


def test_a_volume_found_by_the_last_check_in_the_bound_is_used(al2023_node):
    al2023_node.volume_mounted_from_check(4)
    run = al2023_node.run(VOLUME_WAIT_SECONDS="1", VOLUME_POLL_SECONDS="0.01",
                          **al2023_node.fake_clock(check_seconds=0.5))
    assert run.returncode == 0, run.output
    assert run.output.count("waiting for data volume /opt/sagemaker to be mounted") == 3
    assert al2023_node.path("/var/lib/kubelet").is_symlink()


def test_a_bound_of_zero_checks_once(al2_node):
    al2_node.volume_mounted_from_check(None)
    run = al2_node.run(VOLUME_WAIT_SECONDS="0", VOLUME_POLL_SECONDS="30", **al2_node.fake_clock(check_seconds=0))
    assert_failed_in_step(al2_node, run, "wait for data volume /opt/sagemaker",
                          r"data volume /opt/sagemaker is not mounted after 0s")
    assert len(al2_node.mount_checks()) == 1


def test_an_unreadable_clock_is_reported(al2_node, tmp_path):
    clock = tmp_path / "uptime"
    clock.write_text("soon\n")
    run = al2_node.run(MONOTONIC_CLOCK_FILE=str(clock))
    assert_failed_in_step(al2_node, run, "wait for data volume /opt/sagemaker",
                          re.escape(f"cannot read the monotonic clock {clock} (MONOTONIC_CLOCK_FILE): expected "
                                    "seconds with two decimals, got 'soon'"))


def test_a_failing_command_names_the_step_and_command(al2023_node):
    run = al2023_node.run(FAKE_SYSTEMCTL_FAIL="daemon-reload")
    assert_failed_in_step(al2023_node, run, "restart stopped services",
                          r"command `systemctl daemon-reload` exited 1 \(services\.sh:\d+\)")
    # The command's own stderr lands in the log too.
    assert "Failed to daemon-reload" in al2023_node.read(LOG)
    assert run.output.count("ERROR: step") == 1


def test_failure_waits_the_grace_period_for_log_shipping(al2_node):
    al2_node.volume_mounted_from_check(None)
    run = al2_node.run(VOLUME_WAIT_SECONDS="0", FAILURE_LOG_GRACE_SECONDS="1")
    assert run.returncode != 0
    assert "Waiting 1s so the log gets shipped" in run.output
    assert run.seconds >= 1


def test_unsupported_os_is_refused(al2_node):
    al2_node.write("/etc/os-release", 'NAME="Ubuntu"\nID=ubuntu\nVERSION_ID="22.04"\n')
    run = al2_node.run()
    assert_failed_in_step(al2_node, run, "detect node OS",
                          r"unsupported OS ID='ubuntu' VERSION_ID='22.04' .*supported: Amazon Linux 2 \(amzn/2\) "
                          r"and Amazon Linux 2023 \(amzn/2023\)")


def test_al2_without_containerd_template_is_refused(al2_node):
    al2_node.path("/etc/eks/containerd/containerd-config.toml").unlink()
    run = al2_node.run()
    assert_failed_in_step(al2_node, run, "move containerd data root to /opt/sagemaker",
                          r"without containerd template /etc/eks/containerd/containerd-config.toml")


def test_kubelet_dir_linked_elsewhere_is_left_alone(al2023_node):
    kubelet = al2023_node.path("/var/lib/kubelet")
    for child in kubelet.iterdir():
        child.unlink()
    kubelet.rmdir()
    kubelet.symlink_to("/mnt/other")
    run = al2023_node.run()
    assert_failed_in_step(al2023_node, run, "move kubelet directory to /opt/sagemaker",
                          r"/var/lib/kubelet is a symlink to /mnt/other, expected /opt/sagemaker/kubelet")
    assert str(kubelet.readlink()) == "/mnt/other"


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [
        ("VOLUME_WAIT_SECONDS", "5m", "must be a whole number of seconds"),
        ("VOLUME_POLL_SECONDS", "0", "must be a number of seconds above 0"),
        ("FAILURE_LOG_GRACE_SECONDS", "-1", "must be a whole number of seconds"),
        ("DATA_VOLUME", "opt/sagemaker", "must be an absolute path"),
        ("DATA_VOLUME", "/opt/sagemaker/", "must name a mount point without a trailing slash"),
        ("MONOTONIC_CLOCK_FILE", "proc/uptime", "must be an absolute path"),
    ],
)
def test_bad_settings_are_refused_by_name(al2_node, variable, value, allowed):
    run = al2_node.run(**{variable: value})
    assert_failed_in_step(al2_node, run, "check settings", re.escape(f"{variable}='{value}': {allowed}"))
    assert "Traceback" not in run.output


def test_unwritable_log_location_is_reported(al2_node):
    al2_node.write("/var/log/provision", "a file where the log directory should be")
    run = al2_node.run()
    assert run.returncode != 0
    assert "cannot write the provisioning log /var/log/provision/provisioning.log (PROVISION_LOG)" in run.output


def test_failure_inside_a_config_rewrite_is_not_swallowed(al2023_node):
    """Data already on the volume, config still to fix: the service stop happens inside the file-rewrite helper,
    and its failure must still stop the run (bash ignores errexit inside functions called from conditions)."""
    al2023_node.write("/opt/sagemaker/containerd/.node-os", "al2023\n")
    al2023_node.write("/opt/sagemaker/containerd/data-root/blob", "x")
    run = al2023_node.run(FAKE_SYSTEMCTL_FAIL="stop")
    assert_failed_in_step(al2023_node, run, "move containerd data root to /opt/sagemaker",
                          r"command `systemctl stop \"\$service.service\"` exited 1")
    assert not al2023_node.path("/etc/systemd/system/containerd.service.d").exists()
