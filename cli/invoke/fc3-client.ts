/**
 * InvokeFunction of Function Compute 3.0's API (version 2023-03-30), synchronous, with Node's fetch and
 * the V3 signature of ./acs3-signature.ts (no SDK):
 *
 *   POST https://<account-id>.<region>.fc.aliyuncs.com/2023-03-30/functions/<function>/invocations
 *   x-fc-invocation-type: Sync, x-fc-log-type: None; body: the event, as is.
 *
 * The answer's body is what the function returned; x-fc-request-id names the invocation. A refused call
 * answers a JSON error body (`Code`/`Message`/`RequestId`; FC 2.0's `ErrorCode`/`ErrorMessage` are read
 * too). The Authorization header signs, never the URL, so no secret can appear in an error's address.
 */
import { acs3Stamp, signAcs3 } from './acs3-signature.ts';
import type { InvokeAnswer, InvokeTarget, Invoker } from './invoke-target.ts';
import { InvokeFailed } from './invoke-target.ts';

export const FC3_VERSION = '2023-03-30';

/** The invocation path; the function name is encoded as the V3 signature's canonical URI encodes it. */
export function fc3InvokePath(functionName: string): string {
  return `/${FC3_VERSION}/functions/${functionName}/invocations`;
}

interface FcErrorBody {
  Code?: unknown;
  Message?: unknown;
  RequestId?: unknown;
  ErrorCode?: unknown;
  ErrorMessage?: unknown;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The failure of a non-2xx answer: FC's error code and message when the body is an FC error. */
function httpFailure(status: number, body: string, headerRequestId: string | undefined): InvokeFailed {
  let parsed: FcErrorBody | undefined;
  try {
    const json = JSON.parse(body) as unknown;
    if (typeof json === 'object' && json !== null) parsed = json as FcErrorBody;
  } catch {
    parsed = undefined;
  }
  const code = text(parsed?.Code) ?? text(parsed?.ErrorCode);
  const message = text(parsed?.Message) ?? text(parsed?.ErrorMessage);
  const requestId = headerRequestId ?? text(parsed?.RequestId);
  return new InvokeFailed({
    kind: 'http',
    status,
    ...(code === undefined ? {} : { code }),
    ...(message === undefined ? {} : { message }),
    ...(requestId === undefined ? {} : { requestId }),
  });
}

/** fetch's own failures: its timeout, or a socket error carried as the cause of `TypeError: fetch failed`. */
function transportFailure(error: unknown): InvokeFailed {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new InvokeFailed({ kind: 'timeout' });
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') {
    return new InvokeFailed({ kind: 'network', code: cause.code, message: String(cause.message ?? cause.code) });
  }
  return new InvokeFailed({ kind: 'other', message: error instanceof Error ? error.message : String(error) });
}

/** Invokes the function through FC 3.0's API; throws {@link InvokeFailed}. */
export const invokeFc3: Invoker = async (target: InvokeTarget, event: string, key): Promise<InvokeAnswer> => {
  if (key.accessKeyId.startsWith('STS.') && (key.securityToken ?? '') === '') {
    throw new InvokeFailed({
      kind: 'credentials',
      message: 'an STS AccessKey (STS.*) needs its security token (ALIBABA_CLOUD_SECURITY_TOKEN) to sign',
    });
  }
  const url = new URL(target.endpoint);
  const path = fc3InvokePath(target.functionName);
  const body = Buffer.from(event, 'utf8');
  const headers = signAcs3(
    {
      method: 'POST',
      path,
      query: {},
      headers: { 'content-type': 'application/octet-stream', 'x-fc-invocation-type': 'Sync', 'x-fc-log-type': 'None' },
      body,
    },
    url.host,
    { action: 'InvokeFunction', version: FC3_VERSION },
    key,
    acs3Stamp(),
  );
  delete headers.host; // fetch sends the URL's host, the one signed
  const signature = /Signature=([0-9a-f]+)/.exec(headers.authorization ?? '')?.[1];
  try {
    return { ...(await send(`${url.origin}${path}`, headers, body, target)), signature };
  } catch (error) {
    if (error instanceof InvokeFailed) error.signature = signature;
    throw error;
  }
};

/** Sends the signed request and reads FC's answer; throws {@link InvokeFailed}. */
async function send(
  address: string,
  headers: Record<string, string>,
  body: Buffer<ArrayBuffer>,
  target: InvokeTarget,
): Promise<InvokeAnswer> {
  const signal = AbortSignal.timeout(target.timeoutSeconds * 1000);
  let response: Response;
  let answer: string;
  try {
    response = await fetch(address, { method: 'POST', headers, body, signal });
    answer = await response.text();
  } catch (error) {
    throw transportFailure(error);
  }
  const requestId = response.headers.get('x-fc-request-id') ?? undefined;
  if (!response.ok) throw httpFailure(response.status, answer, requestId);
  let data: unknown = answer;
  if (/\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
    try {
      data = JSON.parse(answer);
    } catch (error) {
      throw new InvokeFailed({ kind: 'bad-json', message: (error as Error).message });
    }
  }
  return { requestId, errorType: response.headers.get('x-fc-error-type') ?? undefined, data };
}
