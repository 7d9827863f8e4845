/**
 * The minimal edit of a policy file that allows held requests: one allow entry per account and service
 * rule, inserted as text after the rule's last allow entry. The `yaml` document API finds where (node
 * ranges); nothing else of the file is touched, so its comments, order and layout stay as they are.
 */
import { isSeq, parseDocument } from 'yaml';
import type { HeldRequest } from './held-requests.ts';

/** The allow entry for one account on one service rule, and what asked for it. */
export interface AllowProposal {
  accountId: string;
  /** `services[0]`: the rule whose `allow` list gets the entry. */
  rule: string;
  /** Where the entry lands: `services[0].allow[1]`. */
  entry: string;
  requests: HeldRequest[];
}

/** The edited text, the proposals made, and the requests that could not be proposed (and why). */
export interface PolicyEdit {
  text: string;
  proposals: AllowProposal[];
  skipped: { request: HeldRequest; why: string }[];
}

function comment(p: { accountId: string; requests: HeldRequest[] }, indent: string): string[] {
  const asked = p.requests.flatMap((r) => [
    `${indent}#   ${r.endpointId}: ${r.regionId} ${r.serviceId}, VPC ${r.vpcId},`,
    `${indent}#     ${r.bandwidth} Mbit/s asked${r.modifiedTime === undefined ? '' : `, requested ${r.modifiedTime}`}`,
  ]);
  return [
    `${indent}# Proposed by privatelink-approver propose: account ${p.accountId} asks for`,
    ...asked,
    `${indent}# Reviewer: name the account below, then merge to accept.`,
  ];
}

/** Groups requests by service rule and account, in the order first seen. */
function byRuleAndAccount(requests: HeldRequest[]): Map<string, HeldRequest[]> {
  const groups = new Map<string, HeldRequest[]>();
  for (const r of requests) {
    const key = JSON.stringify([r.rule, r.accountId]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return groups;
}

/**
 * Inserts one allow entry per (service rule, account) of `requests` into the policy `text`. A rule
 * whose `allow` is not a block list (a flow list, or none) is left alone and its requests skipped.
 */
export function proposeAllowEntries(text: string, requests: HeldRequest[]): PolicyEdit {
  const doc = parseDocument(text);
  const inserts: { at: number; lines: string[] }[] = [];
  const proposals: AllowProposal[] = [];
  const skipped: PolicyEdit['skipped'] = [];
  for (const group of byRuleAndAccount(requests).values()) {
    const first = group[0]!;
    const index = /^services\[(\d+)\]$/.exec(first.rule)?.[1];
    const seq = index === undefined ? undefined : doc.getIn(['services', Number(index), 'allow'], true);
    const last = isSeq(seq) && seq.flow !== true ? seq.items.at(-1) : undefined;
    const range = (last as { range?: [number, number, number] } | undefined)?.range;
    if (!isSeq(seq) || range === undefined || seq.range === undefined || seq.range === null) {
      for (const request of group) skipped.push({ request, why: `${first.rule}.allow is not a block list` });
      continue;
    }
    const lineStart = text.lastIndexOf('\n', seq.range[0] - 1) + 1;
    const indent = ' '.repeat(seq.range[0] - lineStart);
    const lineEnd = text.indexOf('\n', range[1] - 1);
    inserts.push({
      at: lineEnd === -1 ? text.length : lineEnd + 1,
      lines: [
        ...comment({ accountId: first.accountId, requests: group }, indent),
        `${indent}- account: "${first.accountId}"`,
        `${indent}  # name: the account's name`,
      ],
    });
    // Entries for one rule land one after another: the nth new one is at index length + n.
    const added = proposals.filter((p) => p.rule === first.rule).length;
    const entry = `${first.rule}.allow[${seq.items.length + added}]`;
    proposals.push({ accountId: first.accountId, rule: first.rule, entry, requests: group });
  }
  let edited = text;
  // From the end, so earlier offsets stay right; entries at one place keep their order.
  const ordered = inserts
    .map((insert, order) => ({ ...insert, order }))
    .sort((a, b) => b.at - a.at || b.order - a.order);
  for (const { at, lines } of ordered) {
    const before = edited.slice(0, at);
    edited = `${before}${before.endsWith('\n') || before === '' ? '' : '\n'}${lines.join('\n')}\n${edited.slice(at)}`;
  }
  return { text: edited, proposals, skipped };
}
