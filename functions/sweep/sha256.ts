/** The one SHA-256 of the project's decision identity (../engine/decision-id.ts takes it injected). */
import * as crypto from 'node:crypto';

/** Node's one-shot `crypto.hash` (20.12 and later): less than half of `createHash`'s cost, paid per decision. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** SHA-256 of the UTF-8 bytes of `text`, 64 lower-case hex digits. */
export const sha256Hex: (text: string) => string =
  oneShot !== undefined
    ? (text) => oneShot('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
