/**
 * The parts of the Function Compute 3.0 (nodejs20) invocation context this project reads. FC passes more
 * (`logger`, `service`, `tracing`, ...); we declare only what we use, all of it as FC documents it
 * (../../../shared/reference/platform-notes.md, "Function Compute 3.0").
 */

/** The function role's temporary STS credentials. FC rotates them: read them per request, never cache. */
export interface FcCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string | undefined;
}

export interface FcFunctionMeta {
  name: string;
  handler?: string | undefined;
  memory?: number | undefined;
  /** The function's timeout, seconds (1-86400). */
  timeout: number;
}

export interface FcContext {
  /** The FC request id: stamped on every log line of the invocation. */
  requestId: string;
  credentials: FcCredentials;
  function: FcFunctionMeta;
  region?: string | undefined;
  accountId?: string | undefined;
}

/** The FC request id of an invocation, or `unknown` when the context lacks one (a hand-made call). */
export function fcRequestIdOf(context: Partial<FcContext> | null | undefined): string {
  const id = context?.requestId;
  return typeof id === 'string' && id !== '' ? id : 'unknown';
}
