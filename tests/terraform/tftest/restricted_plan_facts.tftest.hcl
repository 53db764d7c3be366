# Plan-level facts about a stack of restricted instance groups only (examples/restricted.tfvars.json), checked by
# `terraform test` like plan_facts.tftest.hcl: __CLUSTER__ and __ROLE__ are replaced by the stack's addresses. Such a
# stack has no lifecycle bucket (restricted groups run no lifecycle scripts), so there is no bucket to override.

override_resource {
  target          = __ROLE__
  override_during = plan
  values = {
    arn = "arn:aws:iam::123456789012:role/stand-in-execution-role"
  }
}

run "restricted_plan_facts" {
  command = plan

  assert {
    condition     = length(__CLUSTER__.restricted_instance_groups) > 0
    error_message = "the cluster plans no restricted instance groups"
  }

  assert {
    condition = alltrue([
      for group in __CLUSTER__.restricted_instance_groups :
      group.execution_role == "arn:aws:iam::123456789012:role/stand-in-execution-role"
    ])
    error_message = "every restricted instance group must run as the stack's execution role"
  }

  assert {
    condition = alltrue([
      for group in __CLUSTER__.restricted_instance_groups : group.environment_config != null
    ])
    error_message = "every restricted instance group must carry its environment_config"
  }

  assert {
    condition     = output.hyperpod_execution_role_arn == "arn:aws:iam::123456789012:role/stand-in-execution-role"
    error_message = "output hyperpod_execution_role_arn must be the execution role's ARN"
  }
}
