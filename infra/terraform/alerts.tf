# The alert rules of infra/sls/alerts.json (SLS alerts 2.0) and where they notify people.

locals {
  alerts = { for a in jsondecode(file("${path.module}/../sls/alerts.json")).alerts : a.name => a }
  # SLS severities: 2 report, 4 low, 6 medium, 8 high, 10 critical.
  severity = { report = 2, low = 4, medium = 6, high = 8, critical = 10 }

  # Notifications sent through a bot webhook get an integration and an action policy of their own.
  webhooks = { for name, n in var.notifications : name => n if n.kind != "action_policy" }
  action_policy_ids = {
    for name, n in var.notifications : name => n.kind == "action_policy" ? n.action_policy_id : "${var.function_name}-${name}"
  }
}

resource "alicloud_log_resource_record" "webhook" {
  provider      = alicloud.sls_resources
  for_each      = local.webhooks
  resource_name = "sls.alert.action_webhook"
  record_id     = "${var.function_name}-${each.key}"
  tag           = "${var.function_name} ${each.key}"
  value = jsonencode({
    id      = "${var.function_name}-${each.key}"
    name    = "${var.function_name} ${each.key}"
    type    = each.value.kind
    url     = var.webhook_urls[each.key]
    method  = "POST"
    headers = []
  })

  lifecycle {
    precondition {
      condition     = contains(keys(var.webhook_urls), each.key)
      error_message = "Notification ${each.key} is a bot webhook: give its URL in var.webhook_urls (TF_VAR_webhook_urls)."
    }
  }
}

resource "alicloud_log_resource_record" "action_policy" {
  provider      = alicloud.sls_resources
  for_each      = local.webhooks
  resource_name = "sls.alert.action_policy"
  record_id     = local.action_policy_ids[each.key]
  tag           = "${var.function_name} ${each.key}"
  value = jsonencode({
    action_policy_id      = local.action_policy_ids[each.key]
    action_policy_name    = "${var.function_name} ${each.key}"
    labels                = {}
    is_default            = false
    primary_policy_script = "fire(type=\"webhook_integration\", integration_type=\"${each.value.kind}\", webhook_id=\"${alicloud_log_resource_record.webhook[each.key].record_id}\", template_id=\"${var.content_template_id}\", period=\"any\")"
  })
}

resource "alicloud_log_alert" "rule" {
  for_each          = local.alerts
  version           = "2.0"
  type              = "default"
  project_name      = alicloud_log_project.logs.project_name
  alert_name        = each.key
  alert_displayname = each.value.title
  no_data_fire      = each.value.noDataFire
  no_data_severity  = local.severity[each.value.severity]
  send_resolved     = false

  schedule {
    type     = "FixedRate"
    interval = "${each.value.everyMinutes}m"
  }

  query_list {
    store          = alicloud_log_store.runs.logstore_name
    store_type     = "log"
    project        = alicloud_log_project.logs.project_name
    region         = var.region
    query          = each.value.query
    start          = "-${each.value.windowMinutes}m"
    end            = "now"
    time_span_type = "Relative"
    power_sql_mode = "auto"
  }

  # One alert per group: a held request (decision_id) notifies once per repeat_interval, not once per run.
  group_configuration {
    type   = length(each.value.groupBy) == 0 ? "no_group" : "custom"
    fields = each.value.groupBy
  }

  severity_configurations {
    severity = local.severity[each.value.severity]
    eval_condition = {
      condition       = each.value.condition
      count_condition = ""
    }
  }

  policy_configuration {
    alert_policy_id  = "sls.builtin.dynamic"
    action_policy_id = local.action_policy_ids[each.value.notification]
    repeat_interval  = each.value.repeatInterval
  }

  labels {
    key   = "app"
    value = var.function_name
  }

  annotations {
    key   = "title"
    value = each.value.title
  }

  # What the person who gets the notification should do (infra/sls/alerts.md has the long form).
  annotations {
    key   = "desc"
    value = each.value.todo
  }

  lifecycle {
    precondition {
      condition     = contains(keys(var.notifications), each.value.notification)
      error_message = "Alert ${each.key} notifies \"${each.value.notification}\": add it to var.notifications."
    }
  }

  depends_on = [alicloud_log_resource_record.action_policy, alicloud_log_store_index.runs]
}
