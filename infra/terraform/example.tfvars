# Copy to terraform.tfvars and edit. The webhook URLs hold bot tokens: pass them as
# TF_VAR_webhook_urls='{"oncall":"https://oapi.dingtalk.com/robot/send?access_token=..."}' rather than a file.
region      = "cn-hangzhou"
log_project = "privatelink-approver-logs"
logstore    = "runs"

notifications = {
  oncall    = { kind = "dingtalk" }
  reviewers = { kind = "action_policy", action_policy_id = "my-team-action-policy" } # an existing one
}
