# Plan-level facts about the synthesized HyperPod stack, checked by `terraform test` (command = plan) against the
# stand-in providers. CDKTF names resources with generated suffixes, so test_plan_facts.py copies this file into the
# scratch workspace with __CLUSTER__, __ROLE__, __BUCKET__, __RELEASE__ and __CHART_SOURCE__ replaced by the stack's
# resource and data source addresses.
#
# The role ARN, the bucket name (the stack uses bucket_prefix) and the cluster ARN are only known after apply; the
# overrides give them known values at plan time so the wiring between resources can be compared exactly. The chart
# source's result is overridden with a path nothing else produces, so a chart path written into the release by hand
# cannot pass for the fetched one.

override_data {
  target = __CHART_SOURCE__
  values = {
    result = {
      chart_path = "stand-in-chart-cache/fetched/HyperPodHelmChart"
    }
  }
}

override_resource {
  target          = __ROLE__
  override_during = plan
  values = {
    arn = "arn:aws:iam::123456789012:role/stand-in-execution-role"
  }
}

override_resource {
  target          = __BUCKET__
  override_during = plan
  values = {
    id     = "sagemaker-stand-in-lifecycle"
    bucket = "sagemaker-stand-in-lifecycle"
    arn    = "arn:aws:s3:::sagemaker-stand-in-lifecycle"
  }
}

override_resource {
  target          = __CLUSTER__
  override_during = plan
  values = {
    cluster_arn = "arn:aws:sagemaker:us-west-2:123456789012:cluster/stand-in"
  }
}

run "plan_facts" {
  command = plan

  assert {
    condition     = length(__CLUSTER__.instance_groups) > 0
    error_message = "the cluster plans no instance groups"
  }

  assert {
    condition = alltrue([
      for group in __CLUSTER__.instance_groups :
      group.execution_role == "arn:aws:iam::123456789012:role/stand-in-execution-role"
    ])
    error_message = "every instance group must run as the stack's execution role"
  }

  assert {
    condition = alltrue([
      for group in __CLUSTER__.instance_groups :
      startswith(group.life_cycle_config.source_s3_uri, "s3://sagemaker-stand-in-lifecycle/")
    ])
    error_message = "every instance group's lifecycle source_s3_uri must point into the lifecycle bucket"
  }

  assert {
    condition     = output.hyperpod_cluster_arn == "arn:aws:sagemaker:us-west-2:123456789012:cluster/stand-in"
    error_message = "output hyperpod_cluster_arn must be the cluster's ARN"
  }

  assert {
    condition     = output.hyperpod_execution_role_arn == "arn:aws:iam::123456789012:role/stand-in-execution-role"
    error_message = "output hyperpod_execution_role_arn must be the execution role's ARN"
  }

  assert {
    condition     = output.lifecycle_scripts_bucket == "sagemaker-stand-in-lifecycle"
    error_message = "output lifecycle_scripts_bucket must be the lifecycle bucket's name"
  }

  assert {
    condition     = __RELEASE__.chart == "stand-in-chart-cache/fetched/HyperPodHelmChart"
    error_message = "the helm release must install the chart the external data source fetched at plan time"
  }

  assert {
    condition     = output.hyperpod_cluster_name == __CLUSTER__.cluster_name
    error_message = "output hyperpod_cluster_name must be the cluster's name"
  }
}
