"""Users add *.sh files to on_create.d/; they run after the core steps, in name order, each as a named step."""


def test_hooks_run_in_byte_order_after_the_core_steps(al2023_node):
    record = al2023_node.state / "hooks.ran"
    for name in ("20-second.sh", "10-first.sh", "9-third.sh"):
        al2023_node.add_hook(name, f'echo "{name} $NODE_OS $(readlink "$ROOT/var/lib/kubelet")" >>"{record}"\n'
                                   f'echo "output of {name}"\n')
    (al2023_node.scripts / "on_create.d" / "README.md").write_text("not a hook\n")

    run = al2023_node.run()

    assert run.returncode == 0, run.output
    # The kubelet link already exists when hooks run, and they see the settings.
    assert record.read_text().splitlines() == [
        "10-first.sh al2023 /opt/sagemaker/kubelet",
        "20-second.sh al2023 /opt/sagemaker/kubelet",
        "9-third.sh al2023 /opt/sagemaker/kubelet",
    ]
    log = al2023_node.read("/var/log/provision/provisioning.log")
    for name in ("10-first.sh", "20-second.sh", "9-third.sh"):
        assert f"step 'user hook on_create.d/{name}': done" in log
        assert f"output of {name}" in log
    assert "README.md" not in log
    assert log.index("step 'restart stopped services': done") < log.index("user hook on_create.d/10-first.sh")


def test_a_failing_hook_fails_the_run_with_its_name(al2_node):
    record = al2_node.state / "hooks.ran"
    al2_node.add_hook("10-ok.sh", f'echo 10 >>"{record}"\n')
    al2_node.add_hook("20-broken.sh", 'echo "cannot reach the package mirror" >&2\nexit 3\n')
    al2_node.add_hook("30-never.sh", f'echo 30 >>"{record}"\n')

    run = al2_node.run()

    assert run.returncode != 0
    assert run.returncode == 3
    assert (f"ERROR: step 'user hook on_create.d/20-broken.sh' failed: "
            f"{al2_node.scripts}/on_create.d/20-broken.sh exited 3") in run.output
    assert record.read_text().splitlines() == ["10"]
    log = al2_node.read("/var/log/provision/provisioning.log")
    assert "cannot reach the package mirror" in log
    assert "on_create.sh FAILED" in log.splitlines()[-1]


def test_no_hook_directory_is_fine(al2_node):
    run = al2_node.run()
    assert run.returncode == 0, run.output
    assert "no user hooks in " in run.output
