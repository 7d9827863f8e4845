/**
 * Alibaba Cloud region IDs known when this was written (public, finance and government regions). A
 * region outside this list is a warning, not an error: new regions open, and the API is the authority.
 */
export const KNOWN_REGIONS: readonly string[] = [
  'cn-qingdao', 'cn-beijing', 'cn-zhangjiakou', 'cn-huhehaote', 'cn-wulanchabu', 'cn-hangzhou', 'cn-shanghai',
  'cn-nanjing', 'cn-fuzhou', 'cn-wuhan-lr', 'cn-shenzhen', 'cn-heyuan', 'cn-guangzhou', 'cn-chengdu', 'cn-hongkong',
  'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-5',
  'ap-southeast-6', 'ap-southeast-7', 'ap-south-1', 'us-east-1', 'us-west-1', 'na-south-1', 'eu-west-1',
  'eu-central-1', 'me-east-1', 'me-central-1', 'cn-hangzhou-finance', 'cn-shanghai-finance-1',
  'cn-shenzhen-finance-1', 'cn-beijing-finance-1', 'cn-north-2-gov-1',
];
