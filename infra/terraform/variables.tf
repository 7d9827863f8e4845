variable "region" {
  description = "The function's region (s.yaml vars.region), where the log project is created."
  type        = string
  default     = "cn-hangzhou"
}

variable "function_name" {
  description = "The function's name (s.yaml functionName); also the RAM role's name and the prefix of every policy."
  type        = string
  default     = "privatelink-approver"
}

variable "log_project" {
  description = "The SLS project (s.yaml vars.logProject). Project names are unique across all of Alibaba Cloud."
  type        = string
  default     = "privatelink-approver-logs"
}

variable "logstore" {
  description = "The logstore that receives every decision and run summary (s.yaml vars.logstore)."
  type        = string
  default     = "runs"
}

variable "retention_days" {
  description = "How long the logstore keeps records: the audit trail's length."
  type        = number
  default     = 180
}

variable "create_plan_user" {
  description = "Create a RAM user with only the read-only plan policy (for `plan` in CI). Its AccessKey is not created here: create it in the console so no secret lands in the Terraform state."
  type        = bool
  default     = true
}

variable "create_deploy_user" {
  description = "Create a RAM user allowed to deploy and invoke only this function (for the pipeline's deploy job). Its AccessKey is created in the console."
  type        = bool
  default     = true
}

variable "whitelist_sync" {
  description = "Set true when a policy rule says `whitelist: sync`: the function role may then list, add and remove whitelist entries (infra/ram/whitelist-sync-policy.json) and the plan user may list them."
  type        = bool
  default     = false
}

variable "notifications" {
  description = <<-EOT
    Where each notification named in infra/sls/alerts.json goes (keys: "oncall", "reviewers").
    kind = "dingtalk" | "lark" | "slack": a webhook integration and an action policy are created, the URL comes
    from var.webhook_urls[key]; kind = "action_policy": an existing SLS action policy, by action_policy_id.
  EOT
  type = map(object({
    kind             = string
    action_policy_id = optional(string)
  }))
  validation {
    condition     = alltrue([for n in values(var.notifications) : contains(["dingtalk", "lark", "slack", "action_policy"], n.kind)])
    error_message = "notifications[*].kind must be dingtalk, lark, slack or action_policy."
  }
  validation {
    condition     = alltrue([for n in values(var.notifications) : n.kind != "action_policy" || try(length(n.action_policy_id) > 0, false)])
    error_message = "A notification of kind action_policy needs its action_policy_id."
  }
}

variable "webhook_urls" {
  description = "The bot webhook URL of each notification of kind dingtalk, lark or slack (it holds the bot's token)."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "sls_resource_region" {
  description = "The region of SLS's account-wide alert resources (webhook integrations, action policies)."
  type        = string
  default     = "cn-heyuan"
}

variable "content_template_id" {
  description = "The SLS alert content template of the notifications (built-in: sls.builtin.cn)."
  type        = string
  default     = "sls.builtin.cn"
}
