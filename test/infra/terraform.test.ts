/**
 * The Terraform module (infra/terraform) checked offline against the JSON it is built from: every .tf file
 * is parsed with HashiCorp's HCL parser (@cdktf/hcl2json), and the test proves that the RAM policies, the
 * log write permission, the index, the saved searches and the alert rules come from the files in infra/
 * (one source of truth) and that each alert of infra/sls/alerts.json renders into the resource as meant.
 * What this cannot check (the provider's schema, the cloud's answers) is listed in docs/deploy.md.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { parseDocument } from 'yaml';
import { REPO_ROOT } from '../../scripts/build.ts';

type Block = Record<string, unknown>;
interface Module {
  resource: Record<string, Record<string, Block[]>>;
  locals: Block;
  variable: Record<string, Block[]>;
  output: Record<string, Block[]>;
  data: Record<string, Record<string, Block[]>>;
  terraform: Block[];
  provider: Record<string, Block[]>;
}
interface Alert {
  name: string;
  severity: string;
  title: string;
  query: string;
  windowMinutes: number;
  everyMinutes: number;
  condition: string;
  groupBy: string[];
  repeatInterval: string;
  noDataFire: boolean;
  notification: string;
  todo: string;
}

const TF_DIR = join(REPO_ROOT, 'infra/terraform');
const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as T;
const alerts = readJson<{ alerts: Alert[] }>('infra/sls/alerts.json').alerts;
const index = readJson<{
  line: { token: string[] };
  keys: Record<string, { type: string; json_keys?: Record<string, { type: string }> }>;
}>('infra/sls/index.json');
const savedSearches = readJson<{ savedSearches: Array<{ name: string; title: string; query: string }> }>(
  'infra/sls/saved-searches.json',
).savedSearches;

/** Merges the parsed .tf files into one module (each top-level kind keyed by type and name). */
async function loadModule(): Promise<{ module: Module; text: string }> {
  const module: Module = { resource: {}, locals: {}, variable: {}, output: {}, data: {}, terraform: [], provider: {} };
  let text = '';
  for (const file of readdirSync(TF_DIR).filter((f) => f.endsWith('.tf'))) {
    const source = readFileSync(join(TF_DIR, file), 'utf8');
    text += source;
    const parsed = (await parse(file, source)) as Record<string, unknown>;
    for (const [kind, value] of Object.entries(parsed)) {
      if (kind === 'locals') Object.assign(module.locals, ...(value as Block[]));
      else if (kind === 'terraform') module.terraform.push(...(value as Block[]));
      else if (kind === 'resource' || kind === 'data') {
        for (const [type, byName] of Object.entries(value as Record<string, Record<string, Block[]>>))
          module[kind][type] = { ...module[kind][type], ...byName };
      } else Object.assign(module[kind as 'variable' | 'output' | 'provider'], value);
    }
  }
  return { module, text };
}

function resource(module: Module, type: string, name: string): Block {
  const block = module.resource[type]?.[name]?.[0];
  assert.ok(block !== undefined, `resource ${type}.${name} is missing`);
  return block;
}

/** The infra/ path a `file(...)`/`templatefile(...)` expression reads, relative to the repository. */
function readsFile(expression: unknown): string {
  const m = /^\$\{(?:file|templatefile)\("\$\{path\.module\}\/\.\.\/([^"]+)"/.exec(String(expression));
  assert.ok(m !== null, `expected file()/templatefile() of a file in infra/, got ${String(expression)}`);
  return `infra/${m[1]}`;
}

/**
 * Renders one `for_each` instance: `${each.key}`, `${each.value.X}` and `${local.NAME[each.value.X]}` (a
 * literal map local) are replaced; a string that is exactly one such expression keeps the value's type.
 * Anything else (resource references, functions) is left as written.
 */
function renderEach(value: unknown, key: string, item: Record<string, unknown>, locals: Block): unknown {
  if (Array.isArray(value)) return value.map((v) => renderEach(v, key, item, locals));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderEach(v, key, item, locals)]));
  if (typeof value !== 'string') return value;
  const one = (expr: string): unknown => {
    if (expr === 'each.key') return key;
    const field = /^each\.value\.([A-Za-z]+)$/.exec(expr);
    if (field !== null) {
      assert.ok(field[1]! in item, `the module reads each.value.${field[1]}, which ${key} does not have`);
      return item[field[1]!];
    }
    const lookup = /^local\.([a-z_]+)\[each\.value\.([A-Za-z]+)\]$/.exec(expr);
    if (lookup !== null && typeof locals[lookup[1]!] === 'object') {
      const map = locals[lookup[1]!] as Record<string, unknown>;
      const k = String(item[lookup[2]!]);
      assert.ok(k in map, `${key}: local.${lookup[1]} has no key "${k}"`);
      return map[k];
    }
    return `\${${expr}}`;
  };
  const whole = /^\$\{([^{}]+)\}$/.exec(value);
  if (whole !== null) return one(whole[1]!);
  return value.replace(/\$\{([^{}]+)\}/g, (_, expr: string) => String(one(expr)));
}

/** Fields a search or alert query reads (`message.decision`, `"message.counts.byOutcome.failed"`). */
const queryFields = (query: string): string[] =>
  [...query.matchAll(/"?message\.([A-Za-z.-]+)"?/g)].map((m) => (m[1] as string).replace(/\.$/, ''));

describe('infra/terraform', () => {
  let module: Module;
  let text: string;
  before(async () => {
    ({ module, text } = await loadModule());
  });

  it('parses, and pins the Alibaba Cloud provider', () => {
    const providers = module.terraform.flatMap((t) => t.required_providers as Block[]);
    assert.equal((providers[0]?.alicloud as { source: string }).source, 'aliyun/alicloud');
    assert.equal(module.provider.alicloud?.length, 2, 'the default provider and the sls_resources alias');
  });

  it('is formatted as `terraform fmt` writes it (when a terraform binary is installed)', (t) => {
    const fmt = spawnSync('terraform', ['fmt', '-check', '-diff', '-recursive', TF_DIR], { encoding: 'utf8' });
    if (fmt.error !== undefined) return t.skip('no terraform binary');
    assert.equal(fmt.status, 0, fmt.stdout);
  });

  it('declares every variable it uses', () => {
    const used = new Set([...text.matchAll(/\bvar\.([a-z_]+)/g)].map((m) => m[1]));
    assert.deepEqual(
      [...used].filter((v) => module.variable[v!] === undefined),
      [],
    );
  });

  it('reads every RAM policy from infra/ram and repeats no action', () => {
    const documents = [
      resource(module, 'alicloud_ram_role', 'function').assume_role_policy_document,
      ...['privatelink', 'log_write', 'plan_readonly', 'deploy', 'whitelist_sync', 'whitelist_read'].map(
        (name) => resource(module, 'alicloud_ram_policy', name).policy_document,
      ),
    ].map(readsFile);
    const ramFiles = readdirSync(join(REPO_ROOT, 'infra/ram')).map((f) => `infra/ram/${f}`);
    assert.deepEqual([...documents].sort(), [...ramFiles].sort(), 'every infra/ram file is used, none twice');
    assert.doesNotMatch(text, /"(privatelink|log|sts|fc|ram):[A-Za-z*]+"/, 'actions live in infra/ram, not in the .tf');
  });

  it('attaches exactly the PrivateLink and log write policies to the role, and one policy to each CI user', () => {
    const attachments = Object.values(module.resource.alicloud_ram_role_policy_attachment ?? {})
      .map((b) => b[0]!)
      .filter((a) => a.count === undefined);
    assert.deepEqual(
      attachments.map((a) => [a.role_name, a.policy_name, a.policy_type]).sort(),
      [
        ['${alicloud_ram_role.function.role_name}', '${alicloud_ram_policy.privatelink.policy_name}', 'Custom'],
        ['${alicloud_ram_role.function.role_name}', '${alicloud_ram_policy.log_write.policy_name}', 'Custom'],
      ].sort(),
    );
    assert.deepEqual(module.locals.ci_users, {
      plan: { create: '${var.create_plan_user}', policy: '${alicloud_ram_policy.plan_readonly.policy_name}' },
      deploy: { create: '${var.create_deploy_user}', policy: '${alicloud_ram_policy.deploy.policy_name}' },
    });
    const attachment = resource(module, 'alicloud_ram_user_policy_attachment', 'ci');
    assert.deepEqual(
      [attachment.for_each, attachment.policy_name],
      ['${alicloud_ram_user.ci}', '${local.ci_users[each.key].policy}'],
    );
  });

  it('attaches the whitelist policies only when var.whitelist_sync is true (README "Keep the whitelist in step")', () => {
    const conditional = [
      ['alicloud_ram_policy', 'whitelist_sync', '${var.whitelist_sync ? 1 : 0}'],
      ['alicloud_ram_role_policy_attachment', 'whitelist_sync', '${var.whitelist_sync ? 1 : 0}'],
      ['alicloud_ram_policy', 'whitelist_read', '${var.whitelist_sync ? 1 : 0}'],
      [
        'alicloud_ram_user_policy_attachment',
        'whitelist_read',
        '${var.whitelist_sync && var.create_plan_user ? 1 : 0}',
      ],
    ] as const;
    for (const [type, name, count] of conditional) assert.equal(resource(module, type, name).count, count, name);
    const role = resource(module, 'alicloud_ram_role_policy_attachment', 'whitelist_sync');
    assert.deepEqual(
      [role.role_name, role.policy_name],
      ['${alicloud_ram_role.function.role_name}', '${alicloud_ram_policy.whitelist_sync[0].policy_name}'],
    );
    const user = resource(module, 'alicloud_ram_user_policy_attachment', 'whitelist_read');
    assert.deepEqual(
      [user.user_name, user.policy_name],
      ['${alicloud_ram_user.ci["plan"].name}', '${alicloud_ram_policy.whitelist_read[0].policy_name}'],
    );
    assert.equal(module.variable.whitelist_sync?.[0]?.default, false);
  });

  /** Renders a templatefile() policy of the module with sample values, after checking every placeholder is supplied. */
  function renderPolicy(name: string): { Statement: unknown[] } {
    const policy = resource(module, 'alicloud_ram_policy', name);
    const template = readFileSync(join(REPO_ROOT, readsFile(policy.policy_document)), 'utf8');
    const placeholders = [...new Set([...template.matchAll(/\$\{([a-z_]+)\}/g)].map((m) => m[1]))].sort();
    const supplied = /templatefile\([^,]+,\s*\{([^}]*)\}/s.exec(String(policy.policy_document))?.[1] ?? '';
    const keys = [...supplied.matchAll(/^\s*([a-z_]+)\s*=/gm)].map((m) => m[1]).sort();
    assert.deepEqual(keys, placeholders, name);
    const values: Record<string, string> = {
      region: 'cn-hangzhou',
      account_id: '1234567890123456',
      log_project: 'privatelink-approver-logs',
      logstore: 'runs',
      function_name: 'privatelink-approver',
      role_name: 'privatelink-approver',
    };
    return JSON.parse(template.replace(/\$\{([a-z_]+)\}/g, (_, k: string) => values[k]!)) as { Statement: unknown[] };
  }

  it('grants log:PostLogStoreLogs on the one logstore only, with every template variable supplied', () => {
    const rendered = renderPolicy('log_write');
    assert.deepEqual(rendered.Statement, [
      {
        Effect: 'Allow',
        Action: ['log:PostLogStoreLogs'],
        Resource: ['acs:log:cn-hangzhou:1234567890123456:project/privatelink-approver-logs/logstore/runs'],
      },
    ]);
  });

  it("lets the deploy user manage and invoke s.yaml's two functions and pass only their role", () => {
    assert.deepEqual(renderPolicy('deploy').Statement, [
      {
        Effect: 'Allow',
        Action: ['fc:*'],
        Resource: [
          'acs:fc:cn-hangzhou:1234567890123456:functions/privatelink-approver',
          'acs:fc:cn-hangzhou:1234567890123456:functions/privatelink-approver/*',
          'acs:fc:cn-hangzhou:1234567890123456:functions/privatelink-approver-requests',
          'acs:fc:cn-hangzhou:1234567890123456:functions/privatelink-approver-requests/*',
        ],
      },
      { Effect: 'Allow', Action: ['ram:PassRole'], Resource: ['acs:ram::1234567890123456:role/privatelink-approver'] },
    ]);
  });

  it('builds the index from infra/sls/index.json: every key, every JSON key, types the provider takes', () => {
    assert.match(String(module.locals.index), /jsondecode\(file\("\$\{path\.module\}\/\.\.\/sls\/index\.json"\)\)/);
    const indexResource = resource(module, 'alicloud_log_store_index', 'runs');
    const dynamic = (indexResource.dynamic as { field_search: Block[] }).field_search[0]!;
    assert.equal(dynamic.for_each, '${local.index.keys}');
    const content = (dynamic.content as Block[])[0]!;
    assert.deepEqual([content.name, content.type], ['${field_search.key}', '${field_search.value.type}']);
    const jsonKeys = (content.dynamic as { json_keys: Block[] }).json_keys[0]!;
    assert.equal(jsonKeys.for_each, '${try(field_search.value.json_keys, {})}');
    for (const [name, key] of Object.entries(index.keys)) {
      assert.ok(['long', 'text', 'double', 'json'].includes(key.type), `${name}: ${key.type}`);
      for (const [sub, k] of Object.entries(key.json_keys ?? {}))
        assert.ok(['long', 'text', 'double'].includes(k.type), `${name}.${sub}: ${k.type}`);
    }
    assert.ok(index.line.token.length > 0);
  });

  it('creates every saved search of infra/sls/saved-searches.json, on indexed fields only', () => {
    assert.match(String(module.locals.saved_searches), /\.\.\/sls\/saved-searches\.json/);
    const search = resource(module, 'alicloud_log_saved_search', 'search');
    assert.equal(search.for_each, '${local.saved_searches}');
    const indexed = index.keys.message!.json_keys!;
    for (const s of savedSearches) {
      const r = renderEach(search, s.name, s, module.locals) as Block;
      assert.deepEqual([r.search_name, r.display_name, r.search_query], [s.name, s.title, s.query]);
      for (const field of queryFields(s.query)) assert.ok(indexed[field] !== undefined, `${s.name}: ${field}`);
    }
  });

  it('renders each alert of infra/sls/alerts.json into an SLS 2.0 alert that names its notification', () => {
    assert.match(String(module.locals.alerts), /\.\.\/sls\/alerts\.json/);
    const rule = resource(module, 'alicloud_log_alert', 'rule');
    assert.equal(rule.for_each, '${local.alerts}');
    assert.deepEqual([rule.version, rule.type], ['2.0', 'default']);
    for (const alert of alerts) {
      const r = renderEach(rule, alert.name, alert as unknown as Record<string, unknown>, module.locals) as Record<
        string,
        Block[] & Block
      >;
      const query = r.query_list![0]!;
      assert.deepEqual(
        [r.alert_name, r.alert_displayname, query.query, query.start, query.end],
        [alert.name, alert.title, alert.query, `-${alert.windowMinutes}m`, 'now'],
      );
      assert.equal(r.schedule![0]!.interval, `${alert.everyMinutes}m`);
      const severity = r.severity_configurations![0]!;
      assert.ok([2, 4, 6, 8, 10].includes(severity.severity as number), `${alert.name}: ${alert.severity}`);
      assert.deepEqual(severity.eval_condition, { condition: alert.condition, count_condition: '' });
      assert.deepEqual(r.group_configuration![0]!.fields, alert.groupBy);
      const policy = r.policy_configuration![0]!;
      assert.equal(policy.repeat_interval, alert.repeatInterval);
      assert.equal(policy.action_policy_id, '${local.action_policy_ids[each.value.notification]}');
      assert.ok(['oncall', 'reviewers'].includes(alert.notification), `${alert.name}: ${alert.notification}`);
      assert.equal(r.no_data_fire, alert.noDataFire);
      assert.deepEqual(r.annotations, [
        { key: 'title', value: alert.title },
        { key: 'desc', value: alert.todo },
      ]);
    }
  });

  it('alerts reach people: held requests and unauthorized connections notify once per request', () => {
    const byName = new Map(alerts.map((a) => [a.name, a]));
    const held = byName.get('privatelink-approver-held-for-a-person');
    const flagged = byName.get('privatelink-approver-unauthorized-connection');
    assert.match(held?.query ?? '', /message\.decision: hold/);
    assert.match(flagged?.query ?? '', /message\.decision: flag/);
    for (const alert of [held!, flagged!]) {
      // One alert per decision (its id is stable across runs), re-sent at most once a day.
      assert.match(alert.query, /"message\.decisionId" as decision_id/);
      assert.match(alert.query, /group by decision_id/);
      assert.deepEqual(alert.groupBy, ['decision_id']);
      assert.ok(/^\d+h$/.test(alert.repeatInterval) && parseInt(alert.repeatInterval, 10) >= 24);
    }
    // A hold that lasts only while a competing accept settles (at most 10 minutes: ten runs of the
    // one-minute requests handler) is not worth a person's attention: the rule wants the same decision
    // held for 15 minutes, however many runs that is.
    assert.match(held!.query, /max\(__time__\) - min\(__time__\) as held_seconds/);
    assert.equal(held!.condition, 'held_seconds >= 900');
    assert.ok(held!.windowMinutes >= 15 + held!.everyMinutes + 5, 'the window sees 15 minutes of holding');
    const names = new Set(alerts.map((a) => a.notification));
    assert.deepEqual([...names].sort(), ['oncall', 'reviewers']);
  });

  it('the example variables name every notification the alerts use', async () => {
    const source = readFileSync(join(TF_DIR, 'example.tfvars'), 'utf8');
    const tfvars = (await parse('example.tfvars', source)) as { notifications: Record<string, { kind: string }> };
    assert.deepEqual(Object.keys(tfvars.notifications).sort(), [...new Set(alerts.map((a) => a.notification))].sort());
  });

  it("outputs exactly s.yaml's vars, whose defaults are the module's", () => {
    const sYaml = parseDocument(readFileSync(join(REPO_ROOT, 's.yaml'), 'utf8')).toJS() as {
      vars: Record<string, string>;
    };
    const output = module.output.s_yaml_vars![0]!.value as Record<string, string>;
    assert.deepEqual(Object.keys(output).sort(), Object.keys(sYaml.vars).sort());
    const defaults = (name: string): unknown => module.variable[name]![0]!.default;
    assert.deepEqual(
      [defaults('region'), defaults('log_project'), defaults('logstore')],
      [sYaml.vars.region, sYaml.vars.logProject, sYaml.vars.logstore],
    );
    assert.match(sYaml.vars.roleArn!, new RegExp(`:role/${String(defaults('function_name'))}$`));
  });
});
