# The Alibaba Cloud provider. role_name / assume_role_policy_document on alicloud_ram_role need 1.252.0.
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    alicloud = {
      source  = "aliyun/alicloud"
      version = ">= 1.252.0"
    }
  }
}

provider "alicloud" {
  region = var.region
}

# SLS alert resources (webhook integrations, action policies) are account-wide records kept in one
# central region (provider docs of alicloud_log_resource_record: "cn-heyuan").
provider "alicloud" {
  alias  = "sls_resources"
  region = var.sls_resource_region
}
