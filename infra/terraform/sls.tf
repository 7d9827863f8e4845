# The log project, logstore, index and saved searches. The index and the searches are the JSON files in
# infra/sls (the same ones the console import and the tests use).

locals {
  index          = jsondecode(file("${path.module}/../sls/index.json"))
  saved_searches = { for s in jsondecode(file("${path.module}/../sls/saved-searches.json")).savedSearches : s.name => s }
  # The index's delimiter characters as the provider wants them: one string.
  index_token = join("", local.index.line.token)
}

resource "alicloud_log_project" "logs" {
  project_name = var.log_project
  description  = "Decision records and run summaries of ${var.function_name}"
}

resource "alicloud_log_store" "runs" {
  project_name          = alicloud_log_project.logs.project_name
  logstore_name         = var.logstore
  retention_period      = var.retention_days
  shard_count           = 1
  auto_split            = true
  max_split_shard_count = 8
  append_meta           = true
}

resource "alicloud_log_store_index" "runs" {
  project  = alicloud_log_project.logs.project_name
  logstore = alicloud_log_store.runs.logstore_name

  full_text {
    case_sensitive  = local.index.line.caseSensitive
    include_chinese = local.index.line.chn
    token           = local.index_token
  }

  # One field_search per key of index.json: `message` (type json, with its json_keys) and FC's own fields.
  dynamic "field_search" {
    for_each = local.index.keys
    content {
      name             = field_search.key
      type             = field_search.value.type
      alias            = try(field_search.value.alias, "")
      case_sensitive   = try(field_search.value.caseSensitive, false)
      include_chinese  = try(field_search.value.chn, false)
      token            = join("", try(field_search.value.token, local.index.line.token))
      enable_analytics = try(field_search.value.doc_value, true)

      dynamic "json_keys" {
        for_each = try(field_search.value.json_keys, {})
        content {
          name      = json_keys.key
          type      = json_keys.value.type
          alias     = try(json_keys.value.alias, "")
          doc_value = try(json_keys.value.doc_value, true)
        }
      }
    }
  }
}

resource "alicloud_log_saved_search" "search" {
  for_each      = local.saved_searches
  project_name  = alicloud_log_project.logs.project_name
  logstore_name = alicloud_log_store.runs.logstore_name
  search_name   = each.key
  display_name  = each.value.title
  search_query  = each.value.query
  depends_on    = [alicloud_log_store_index.runs]
}
