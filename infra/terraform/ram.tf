# The function's RAM role and its permissions. The policy documents are the JSON files in infra/ram
# (one source of truth; test/infra/terraform.test.ts checks this module reads them and nothing else).

data "alicloud_account" "current" {}

resource "alicloud_ram_role" "function" {
  role_name                   = var.function_name
  assume_role_policy_document = file("${path.module}/../ram/function-role-trust.json")
  description                 = "Function Compute role of ${var.function_name}: decides PrivateLink connections"
}

resource "alicloud_ram_policy" "privatelink" {
  policy_name     = "${var.function_name}-privatelink"
  policy_document = file("${path.module}/../ram/function-role-policy.json")
  description     = "Exactly the PrivateLink actions ${var.function_name} calls"
}

resource "alicloud_ram_role_policy_attachment" "privatelink" {
  role_name   = alicloud_ram_role.function.role_name
  policy_name = alicloud_ram_policy.privatelink.policy_name
  policy_type = "Custom"
}

# FC 3.0 writes a function's logs with the function's role when the function has one (s.yaml sets
# `role`); the service-linked role AliyunServiceRoleForFC is only the default for functions without a
# role. docs/deploy.md "Who writes the logs" cites the sources. Scoped to the one logstore.
resource "alicloud_ram_policy" "log_write" {
  policy_name = "${var.function_name}-log-write"
  policy_document = templatefile("${path.module}/../ram/function-log-policy.json", {
    region      = var.region
    account_id  = data.alicloud_account.current.id
    log_project = alicloud_log_project.logs.project_name
    logstore    = alicloud_log_store.runs.logstore_name
  })
  description = "Lets Function Compute write ${var.function_name}'s logs to its one logstore"
}

resource "alicloud_ram_role_policy_attachment" "log_write" {
  role_name   = alicloud_ram_role.function.role_name
  policy_name = alicloud_ram_policy.log_write.policy_name
  policy_type = "Custom"
}

# `plan` in CI: only the List actions.
resource "alicloud_ram_policy" "plan_readonly" {
  policy_name     = "${var.function_name}-plan-readonly"
  policy_document = file("${path.module}/../ram/plan-readonly-policy.json")
  description     = "Read-only PrivateLink listing for privatelink-approver plan"
}

# The pipeline's deploy job (`s deploy`, then `invoke`): everything on this one function and its triggers,
# and passing its role to it.
resource "alicloud_ram_policy" "deploy" {
  policy_name = "${var.function_name}-deploy"
  policy_document = templatefile("${path.module}/../ram/deploy-policy.json", {
    region        = var.region
    account_id    = data.alicloud_account.current.id
    function_name = var.function_name
    role_name     = alicloud_ram_role.function.role_name
  })
  description = "Deploys and invokes ${var.function_name} (s deploy, privatelink-approver invoke)"
}

# The CI users: `plan` on pull requests, `deploy` after a merge. Their AccessKeys are created in the console
# (a secret in the Terraform state would be readable by anyone with the state).
locals {
  ci_users = {
    plan   = { create = var.create_plan_user, policy = alicloud_ram_policy.plan_readonly.policy_name }
    deploy = { create = var.create_deploy_user, policy = alicloud_ram_policy.deploy.policy_name }
  }
}

resource "alicloud_ram_user" "ci" {
  for_each = { for role, user in local.ci_users : role => user if user.create }
  name     = "${var.function_name}-${each.key}"
}

resource "alicloud_ram_user_policy_attachment" "ci" {
  for_each    = alicloud_ram_user.ci
  user_name   = each.value.name
  policy_name = local.ci_users[each.key].policy
  policy_type = "Custom"
}

# `whitelist: sync` (README "Keep the whitelist in step"): the whitelist actions, only when a policy uses it.
resource "alicloud_ram_policy" "whitelist_sync" {
  count           = var.whitelist_sync ? 1 : 0
  policy_name     = "${var.function_name}-whitelist-sync"
  policy_document = file("${path.module}/../ram/whitelist-sync-policy.json")
  description     = "Keeps the whitelist of the services whose rule says whitelist: sync"
}

resource "alicloud_ram_role_policy_attachment" "whitelist_sync" {
  count       = var.whitelist_sync ? 1 : 0
  role_name   = alicloud_ram_role.function.role_name
  policy_name = alicloud_ram_policy.whitelist_sync[0].policy_name
  policy_type = "Custom"
}

# `plan` of a synced rule reads the whitelist too: the plan user gets that one List action.
resource "alicloud_ram_policy" "whitelist_read" {
  count           = var.whitelist_sync ? 1 : 0
  policy_name     = "${var.function_name}-whitelist-read"
  policy_document = file("${path.module}/../ram/whitelist-read-policy.json")
  description     = "Read-only whitelist listing for privatelink-approver plan (whitelist: sync)"
}

resource "alicloud_ram_user_policy_attachment" "whitelist_read" {
  count       = var.whitelist_sync && var.create_plan_user ? 1 : 0
  user_name   = alicloud_ram_user.ci["plan"].name
  policy_name = alicloud_ram_policy.whitelist_read[0].policy_name
  policy_type = "Custom"
}
