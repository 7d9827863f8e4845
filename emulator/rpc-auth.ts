/**
 * The gateway's checks of an RPC request before any action runs: common parameters, timestamp, AccessKey,
 * signature v1, STS token and nonce, in the order Alibaba's OpenAPI gateway applies them. Error codes are
 * listed in emulator/README.md ("Protocol").
 */
import { verifyRpcSignature } from './signature.ts';
import type { AccessKeyRecord, EmulatorClock, EmulatorSettings } from './types.ts';
import { EmulatorApiError } from './types.ts';

/** The API version the emulator speaks (the reference's). */
export const API_VERSION = '2020-04-15';

/** ISO 8601 UTC as the reference asks (`YYYY-MM-DDThh:mm:ssZ`); fractional seconds tolerated. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export const missingParam = (name: string): EmulatorApiError =>
  new EmulatorApiError(
    'MissingParameter',
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    400,
  );

/** Remembers (AccessKeyId, nonce) pairs for a time window, bounded in size. */
export class NonceWindow {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = 500_000) {}

  /** Records the nonce; false when it was already used within the window. */
  use(accessKeyId: string, nonce: string, now: number, windowMs: number): boolean {
    // Insertion order is arrival order: expire from the front.
    for (const [key, expires] of this.seen) {
      if (expires > now && this.seen.size < this.maxEntries) break;
      this.seen.delete(key);
    }
    const key = `${accessKeyId}\n${nonce}`;
    const expires = this.seen.get(key);
    if (expires !== undefined && expires > now) return false;
    this.seen.delete(key);
    this.seen.set(key, now + windowMs);
    return true;
  }
}

/** What authentication needs from the emulator. */
export interface AuthState {
  findAccessKey(accessKeyId: string): AccessKeyRecord | undefined;
  clock: EmulatorClock;
  settings: EmulatorSettings;
  nonces: NonceWindow;
}

/** Version, AccessKeyId and the signature's own parameters: present and of a supported kind. */
function checkCommonParameters(params: Record<string, string>, entry: { accessKeyId: string | undefined }): void {
  const version = params['Version'];
  if (version === undefined) throw missingParam('Version');
  if (version !== API_VERSION)
    throw new EmulatorApiError('InvalidVersion', 'Specified parameter Version is not valid.', 400);
  if (params['AccessKeyId'] === undefined) throw missingParam('AccessKeyId');
  entry.accessKeyId = params['AccessKeyId'];
  if (params['Signature'] === undefined) throw missingParam('Signature');
  if (params['SignatureMethod'] === undefined) throw missingParam('SignatureMethod');
  // Spelled as Alibaba's list of common OpenAPI client errors spells it (README "Protocol").
  if (params['SignatureMethod'] !== 'HMAC-SHA1')
    throw new EmulatorApiError('InvalidSignatureMethod', 'Specified signature method is not valid.', 400);
  if (params['SignatureVersion'] === undefined) throw missingParam('SignatureVersion');
  if (params['SignatureVersion'] !== '1.0') {
    throw new EmulatorApiError(
      'IncompleteSignature',
      'The request signature does not conform to Aliyun standards: SignatureVersion must be 1.0.',
      400,
    );
  }
  const nonce = params['SignatureNonce'];
  if (nonce === undefined || nonce === '') throw missingParam('SignatureNonce');
}

/** The Timestamp parameter: well formed and within the accepted skew of the emulator's clock. */
function checkTimestamp(params: Record<string, string>, now: number, maxSkewMs: number): void {
  const timestamp = params['Timestamp'];
  if (timestamp === undefined) throw missingParam('Timestamp');
  const at = TIMESTAMP.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(at))
    throw new EmulatorApiError(
      'InvalidTimeStamp.Format',
      'Specified time stamp or date value is not well formatted.',
      400,
    );
  if (Math.abs(now - at) > maxSkewMs)
    throw new EmulatorApiError('InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.', 400);
}

/** An STS key must come with its token; a token must match the key's. */
function checkSecurityToken(params: Record<string, string>, key: AccessKeyRecord): void {
  const token = params['SecurityToken'];
  if (key.securityToken !== undefined && token === undefined) {
    throw new EmulatorApiError(
      'MissingSecurityToken',
      'SecurityToken is mandatory for this AccessKeyId (an STS key).',
      400,
    );
  }
  if (token !== undefined && token !== key.securityToken) {
    throw new EmulatorApiError(
      'InvalidSecurityToken.MismatchWithAccessKey',
      'Specified SecurityToken mismatch with the AccessKey.',
      400,
    );
  }
}

/**
 * Checks the common parameters and the signature; returns the caller's key.
 * @throws EmulatorApiError with the gateway's code.
 */
export function authenticate(
  state: AuthState,
  method: string,
  params: Record<string, string>,
  entry: { accessKeyId: string | undefined; accountId: string | undefined },
): AccessKeyRecord {
  checkCommonParameters(params, entry);
  const now = state.clock.now();
  checkTimestamp(params, now, state.settings.maxClockSkewMs);
  const accessKeyId = params['AccessKeyId'] ?? '';
  const key = state.findAccessKey(accessKeyId);
  if (key === undefined || (key.securityToken !== undefined && !state.settings.allowSts)) {
    throw new EmulatorApiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);
  }
  if (key.inactive === true)
    throw new EmulatorApiError('InvalidAccessKeyId.Inactive', 'Specified access key is disabled.', 400);
  // Checked before the nonce is recorded, so that a forged request cannot use up a caller's nonces.
  // The message never carries the string-to-sign: it would help no one but a forger.
  if (!verifyRpcSignature(method, params, key.accessKeySecret)) {
    throw new EmulatorApiError(
      'SignatureDoesNotMatch',
      'Specified signature is not matched with our calculation.',
      400,
    );
  }
  checkSecurityToken(params, key);
  // The nonce window covers the whole accepted timestamp range on both sides.
  const windowMs = Math.max(2 * state.settings.maxClockSkewMs, 15 * 60_000);
  if (!state.nonces.use(accessKeyId, params['SignatureNonce'] ?? '', now, windowMs)) {
    throw new EmulatorApiError('SignatureNonceUsed', 'Specified signature nonce was used already.', 400);
  }
  entry.accountId = key.accountId;
  return key;
}
