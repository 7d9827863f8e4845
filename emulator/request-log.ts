/**
 * The emulator's request log: one entry per RPC request, newest last, bounded. Parameters are stored
 * without `Signature` and `SecurityToken`; no secret ever reaches it.
 */

/** One RPC request as the emulator saw and answered it. */
export interface RequestLogEntry {
  /** 1, 2, 3... in arrival order; not reset by clearing the log. */
  seq: number;
  requestId: string;
  /** Arrival time by the emulator clock (ISO 8601). */
  time: string;
  method: string;
  action: string | undefined;
  accessKeyId: string | undefined;
  /** Set once the signature was verified. */
  accountId: string | undefined;
  /** Every request parameter except Signature and SecurityToken. */
  params: Record<string, string>;
  /** HTTP status answered; 0 when nothing was answered (hang, drop, closed). */
  status: number;
  /** The error code answered, if any. */
  code: string | undefined;
  /** Wall-clock time from arrival to answer, ms. */
  durationMs: number;
  /** Faults injected, e.g. "latency 200ms + internalError". */
  fault: string | undefined;
}

/** Parameters never logged. */
const HIDDEN_PARAMS = new Set(['Signature', 'SecurityToken']);

/** Copies request parameters without the ones that must never be logged. */
export function loggableParams(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(params)) if (!HIDDEN_PARAMS.has(key)) out[key] = params[key] as string;
  return out;
}

/** A bounded log: keeps the newest `capacity` entries. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private lastSeq = 0;

  constructor(readonly capacity = 10_000) {}

  /** The next sequence number (reserved at arrival so the log stays in arrival order by seq). */
  nextSeq(): number {
    this.lastSeq += 1;
    return this.lastSeq;
  }

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    // Trim in batches so a full log does not shift the array on every request.
    if (this.entries.length > this.capacity + Math.max(1, this.capacity >> 4))
      this.entries = this.entries.slice(-this.capacity);
  }

  /** Entries with `seq > since`, oldest first. */
  list(since = 0): RequestLogEntry[] {
    const all = this.entries.length > this.capacity ? this.entries.slice(-this.capacity) : this.entries;
    // Entries are added when answered, so a slow request lands after faster later ones: sort by seq.
    return all.filter((e) => e.seq > since).sort((a, b) => a.seq - b.seq);
  }

  /** The highest sequence number handed out so far. */
  get last(): number {
    return this.lastSeq;
  }

  clear(): number {
    const n = this.entries.length;
    this.entries = [];
    return n;
  }
}
