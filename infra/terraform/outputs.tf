# What s.yaml needs: copy these into its `vars` (same names), or pass them to `s deploy`.
output "s_yaml_vars" {
  description = "The values of s.yaml's vars block."
  value = {
    region     = var.region
    roleArn    = alicloud_ram_role.function.arn
    logProject = alicloud_log_project.logs.project_name
    logstore   = alicloud_log_store.runs.logstore_name
  }
}

output "plan_user" {
  description = "The RAM user for `plan` in CI (create its AccessKey in the RAM console)."
  value       = try(alicloud_ram_user.ci["plan"].name, null)
}

output "deploy_user" {
  description = "The RAM user for the pipeline's deploy job (create its AccessKey in the RAM console)."
  value       = try(alicloud_ram_user.ci["deploy"].name, null)
}

output "action_policy_ids" {
  description = "The SLS action policy each notification uses."
  value       = local.action_policy_ids
}
