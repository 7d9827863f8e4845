/** The one SHA-256 of the project's decision identity (../engine/decision-id.ts takes it injected). */
import { createHash } from 'node:crypto';

/** SHA-256 of the UTF-8 bytes of `text`, 64 lower-case hex digits. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
