/**
 * Why the engine decided what it did, as data (a code and its parameters), and the one place that turns
 * that data into the sentence a person reads (`Decision.reason`). Pure. The codes are listed in
 * policies/README.md ("Decisions and their reasons").
 */
import type { PendingStatusReading } from '../policy/policy.ts';
import type { AcceptStep, BandwidthProblem, DriftAssessment } from './bandwidth.ts';

/** An account as reasons name it: `account 2000000000000001 (acme)`. */
export interface AccountRef {
  accountId: string;
  /** the display name from the policy, when it has one */
  accountName: string | undefined;
}

/** How a request was seen when it was decided (see ./connection-phase.ts). */
export type RequestSeen =
  { phase: 'awaiting'; status: string } | { phase: 'maybe-awaiting'; reading: PendingStatusReading };

/** Why a rule does not allow a connection (see ./account-standing.ts); `entry`/`rule` are policy paths. */
export type NotAllowed =
  | { standing: 'denied'; by: 'account' | 'endpoint'; endpointId: string; entry: string; note: string | undefined }
  | { standing: 'unknown'; rule: string }
  | { standing: 'expired'; entry: string; expires: string | undefined }
  | { standing: 'vpc-not-allowed'; entry: string; vpcId: string; vpcs: string[] };

/** A listing the engine does not trust (see `usableConnections` in ./decide.ts). */
export type ListingProblem =
  | { problem: 'foreign'; endpointId: string; serviceId: string; regionId: string }
  | { problem: 'conflicting'; endpointId: string; copies: number };

interface Request {
  seen: RequestSeen;
  account: AccountRef;
}
interface AllowedRequest extends Request {
  /** the allow entry's policy path */
  entry: string;
}

/** The parameters of each reason code. */
export interface ReasonParams {
  'inconsistent-listing': ListingProblem;
  'accept-in-progress': { reading: PendingStatusReading };
  disconnected: { reading: PendingStatusReading };
  'in-transition': { status: string };
  'unknown-status': { status: string };
  /** a `Disconnected` connection (maybe a request) the rule does not allow: left alone */
  'not-allowed-disconnected': Request & { notAllowed: NotAllowed };
  /** a request the rule does not allow: rejected, or held per `unknownAccounts` (written at `unknownAccountsAt`) */
  'not-allowed':
    | (Request & { notAllowed: NotAllowed; action: 'reject' })
    | (Request & { notAllowed: NotAllowed; action: 'hold'; unknownAccountsAt: string });
  'bandwidth-unusable': AllowedRequest & { problem: BandwidthProblem };
  'connection-limit': AllowedRequest & {
    maxConnections: number;
    counted: number;
    acceptedHere: number;
    serviceId: string;
  };
  accept: AllowedRequest & { bandwidth: number; steps: AcceptStep[] };
  'unsettled-contention': AllowedRequest & {
    competitors: number;
    free: number;
    maxConnections: number | undefined;
    /** the request that may be an accept in progress */
    settling: { endpointId: string; modifiedTime: string; readable: boolean };
    windowMinutes: number;
    reading: PendingStatusReading;
  };
  'within-cap': { account: AccountRef; entry: string; drift: DriftAssessment };
  resize: { account: AccountRef; drift: DriftAssessment; target: number };
  'resize-off': { account: AccountRef; drift: DriftAssessment; target: number };
  'unknown-connected': {
    account: AccountRef;
    notAllowed: NotAllowed;
    unknownAccountsAt: string;
    autoAccept: boolean;
  };
  revoke: { account: AccountRef; notAllowed: NotAllowed };
  'revoke-off': { account: AccountRef; notAllowed: NotAllowed };
}

export type ReasonCode = keyof ReasonParams;

/** A reason as data: `{code, params}`, the two always agreeing. */
export type Reason = { [C in ReasonCode]: { code: C; params: ReasonParams[C] } }[ReasonCode];

/** The reason fields of a decision: the rendered sentence, its code and its parameters. */
export type ReasonFields = { reason: string } & {
  [C in ReasonCode]: { reasonCode: C; reasonParams: ReasonParams[C] };
}[ReasonCode];

/** The decision fields for `reason`: the only way a decision's reason is built. */
export function reasonFields(reason: Reason): ReasonFields {
  return { reason: reasonText(reason), reasonCode: reason.code, reasonParams: reason.params } as ReasonFields;
}

/** The sentence for `reason`. */
export function reasonText(reason: Reason): string {
  switch (reason.code) {
    case 'inconsistent-listing':
      return `${listingProblemText(reason.params)}; ${NO_DOUBT}`;
    case 'accept-in-progress':
      return (
        `Connecting: under pendingStatus ${reason.params.reading} this is an accept in progress; ` +
        'nothing to do until it settles'
      );
    case 'disconnected':
      return (
        `Disconnected: under pendingStatus ${reason.params.reading} this connection was rejected or disconnected ` +
        'earlier, not a request awaiting a decision; nothing to do (enable it by hand, or use pendingStatus auto ' +
        "to have allowed accounts' Disconnected connections enabled again)"
      );
    case 'in-transition':
      return `${reason.params.status}: ${TRANSITIONS[reason.params.status] ?? 'in transition'}; ${UNTIL_SETTLED}`;
    case 'unknown-status':
      return `status ${JSON.stringify(reason.params.status)} is not one the API documents; ${NO_DOUBT}`;
    default:
      return requestText(reason) ?? connectedText(reason);
  }
}

const NO_DOUBT = 'never act on doubt: nothing done';
const UNTIL_SETTLED = 'nothing to do until it settles';
const REVOKE_ON = 'revoke (drift.revoke is on)';
const REVOKE_OFF = 'drift.revoke is off (it would revoke)';

const TRANSITIONS: Partial<Record<string, string>> = {
  Pending: 'the connection is being modified',
  Disconnecting: 'the connection is being disconnected',
  Deleting: 'the endpoint is being deleted',
  ServiceDeleted: 'the service was deleted',
};

/** Reasons for requests awaiting a decision (or `Disconnected` ones that may be); undefined for others. */
function requestText(reason: Reason): string | undefined {
  switch (reason.code) {
    case 'not-allowed-disconnected': {
      const p = reason.params;
      return `${seenText(p.seen)}: ${notAllowedText(p.account, p.notAllowed)}; it is not connected, so nothing to do`;
    }
    case 'not-allowed': {
      const p = reason.params;
      const action = p.action === 'reject' ? 'reject' : `hold for a person (${p.unknownAccountsAt} is hold)`;
      return `${seenText(p.seen)}: ${notAllowedText(p.account, p.notAllowed)}: ${action}`;
    }
    case 'bandwidth-unusable':
      return `${allowedText(reason.params)}, but ${bandwidthProblemText(reason.params.problem)}`;
    case 'connection-limit': {
      const p = reason.params;
      const parts = [`${p.counted} connected or being connected`];
      if (p.acceptedHere > 0) parts.push(`${p.acceptedHere} accepted earlier in this run`);
      return (
        `${allowedText(p)}, but the limit of ${plural(p.maxConnections, 'connection')} reached ` +
        `(${p.entry} maxConnections): it already has ${parts.join(' + ')} on ${p.serviceId}; ` +
        'hold until one goes or the limit is raised'
      );
    }
    case 'accept': {
      const p = reason.params;
      return `${allowedText(p)}: accept at ${p.bandwidth} Mbit/s (${acceptStepsText(p.steps)})`;
    }
    case 'unsettled-contention':
      return unsettledText(reason.params);
    default:
      return undefined;
  }
}

function unsettledText(p: ReasonParams['unsettled-contention']): string {
  const { endpointId, modifiedTime, readable } = p.settling;
  const when = readable
    ? `changed at ${modifiedTime}, less than ${p.windowMinutes} minutes ago`
    : `changed at an unreadable time (${JSON.stringify(modifiedTime)})`;
  return (
    `${allowedText(p)}, but ${p.competitors} requests compete for ${plural(p.free, 'slot')} of maxConnections ` +
    `${p.maxConnections ?? '?'} and ${endpointId} ${when}: it may be an accept still in progress, which looks the ` +
    `same under pendingStatus ${p.reading}; accepting none of them in this run, deciding in a later run`
  );
}

/** Reasons for `Connected` connections (drift). */
function connectedText(reason: Reason): string {
  switch (reason.code) {
    case 'within-cap': {
      const p = reason.params;
      return `Connected: ${accountText(p.account)} is allowed by ${p.entry} and ${driftText(p.drift)}; nothing to do`;
    }
    case 'resize': {
      const p = reason.params;
      return `Connected: ${accountText(p.account)}: ${driftText(p.drift)}: resize to ${p.target} Mbit/s`;
    }
    case 'resize-off': {
      const p = reason.params;
      return (
        `Connected: ${accountText(p.account)}: ${driftText(p.drift)}; ` +
        `drift.reduceBandwidth is off (it would resize to ${p.target} Mbit/s)`
      );
    }
    case 'unknown-connected': {
      const p = reason.params;
      const how = p.autoAccept
        ? 'the service accepted it automatically (AutoAcceptEnabled) or a person accepted it by hand'
        : 'a person may have accepted it by hand';
      const why = notAllowedText(p.account, p.notAllowed);
      return `Connected: ${why}, and ${p.unknownAccountsAt} is hold: ${how}; left as it is`;
    }
    case 'revoke':
      return `Connected, but ${notAllowedText(reason.params.account, reason.params.notAllowed)}: ${REVOKE_ON}`;
    case 'revoke-off':
      return `Connected, but ${notAllowedText(reason.params.account, reason.params.notAllowed)}; ${REVOKE_OFF}`;
    default:
      // Every other code is rendered by reasonText or requestText.
      return reason.code;
  }
}

/** Why a listing is not trusted (also the start of the `inconsistent-listing` warning). */
export function listingProblemText(p: ListingProblem): string {
  return p.problem === 'foreign'
    ? `connection ${p.endpointId} is listed under service ${p.serviceId} in ${p.regionId} ` +
        'but names another service or region'
    : `connection ${p.endpointId} is listed ${p.copies} times with different contents`;
}

/** `account 2000000000000001 (acme)`, or without the name when the policy has none. */
export function accountText({ accountId, accountName }: AccountRef): string {
  return accountName === undefined ? `account ${accountId}` : `account ${accountId} (${accountName})`;
}

function seenText(seen: RequestSeen): string {
  return seen.phase === 'awaiting'
    ? `request awaiting a decision (${seen.status})`
    : 'Disconnected (a new request, or one rejected or disconnected earlier: ' +
        `indistinguishable under pendingStatus ${seen.reading})`;
}

function allowedText(p: AllowedRequest): string {
  return `${seenText(p.seen)}: ${accountText(p.account)} is allowed by ${p.entry}`;
}

function notAllowedText(account: AccountRef, n: NotAllowed): string {
  const who = accountText(account);
  switch (n.standing) {
    case 'denied': {
      const subject = n.by === 'account' ? who : `endpoint ${n.endpointId} of ${who}`;
      return `${subject} is denied by ${n.entry}${n.note === undefined ? '' : ` (${n.note})`}`;
    }
    case 'unknown':
      return `${who} is not named by ${n.rule}.allow`;
    case 'expired':
      return `${who} is no longer allowed: its entry ${n.entry} expired at ${n.expires ?? '?'}`;
    case 'vpc-not-allowed':
      return `VPC ${n.vpcId} of ${who} is not among the VPCs ${n.entry} allows (${n.vpcs.join(', ')})`;
  }
}

function acceptStepsText(steps: readonly AcceptStep[]): string {
  return steps
    .map((s) => {
      switch (s.step) {
        case 'wanted':
          return `${s.value} Mbit/s from ${s.from}`;
        case 'capped':
          return `lowered to the cap ${s.value} Mbit/s (${s.capSource})`;
        case 'raised-to-minimum':
          return `raised to the service minimum ${s.value} Mbit/s`;
        case 'lowered-to-maximum':
          return `lowered to the service maximum ${s.value} Mbit/s`;
      }
    })
    .join(', ');
}

function bandwidthProblemText(p: BandwidthProblem): string {
  return p.problem === 'unusable-range'
    ? `cannot choose a bandwidth: ${p.wantedFrom} is ${p.wanted} Mbit/s and the service allows ` +
        `${p.min}..${p.max} Mbit/s (check the service listing)`
    : `the cap ${p.cap} Mbit/s (${p.capSource}) is below the service minimum ${p.min} Mbit/s: ` +
        `raise the cap to at least ${p.min} or accept by hand`;
}

function driftText(d: DriftAssessment): string {
  switch (d.kind) {
    case 'no-cap':
      return 'no bandwidth cap applies';
    case 'within':
      return `${d.current} Mbit/s is within the cap ${d.cap} Mbit/s (${d.capSource})`;
    case 'cap-below-minimum':
      return (
        `${d.current} Mbit/s is above the cap ${d.cap} Mbit/s (${d.capSource}), but that cap is below the ` +
        `service minimum ${d.min} Mbit/s, which it does not exceed`
      );
    case 'above':
      return `${d.current} Mbit/s is above the cap ${d.cap} Mbit/s (${d.capSource})`;
    case 'above-to-minimum':
      return (
        `${d.current} Mbit/s is above the cap ${d.cap} Mbit/s (${d.capSource}), which is below the ` +
        `service minimum ${d.min} Mbit/s: reduce to the minimum`
      );
  }
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The `access-expiring` warning: a live connection's allow entry expires soon. */
export function accessExpiringText(p: {
  endpointId: string;
  account: AccountRef;
  entry: string;
  expires: string;
  days: number;
  then: 'revoke' | 'flag';
}): string {
  const then = p.then === 'revoke' ? 'drift.revoke then disconnects it' : 'it is then flagged (drift.revoke is off)';
  return (
    `connection ${p.endpointId} of ${accountText(p.account)}: its entry ${p.entry} expires at ${p.expires}, ` +
    `within ${plural(p.days, 'day')}: ${then}; tell the customer, or extend the date`
  );
}

/** The `revocation-scheduled` warning: a deny entry with a `from` date will deny a live connection. */
export function revocationScheduledText(p: {
  endpointId: string;
  account: AccountRef;
  entry: string;
  by: 'account' | 'endpoint';
  from: string;
  then: 'revoke' | 'flag';
}): string {
  const what = p.by === 'account' ? accountText(p.account) : `endpoint ${p.endpointId}`;
  const then = p.then === 'revoke' ? 'it will be revoked then' : 'it will be flagged then (drift.revoke is off)';
  return `connection ${p.endpointId} of ${accountText(p.account)}: ${p.entry} denies ${what} from ${p.from}: ${then}`;
}
