import { createHash, randomBytes } from 'node:crypto';
import { findRegion } from './regions.ts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Characters after the region prefix in real IDs (`epsrv-hp3` + `vpx8yqxblby3i****`). */
const SUFFIX_LENGTH = 17;

/** The region's ID prefix (`bp1` for cn-hangzhou); `xx0` for a region the table does not know. */
export function regionPrefix(regionId: string): string {
  return findRegion(regionId)?.idPrefix ?? 'xx0';
}

function encode(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[(bytes[i] ?? 0) % ALPHABET.length];
  return out;
}

/** A fresh random ID shaped like the real ones: `<kind>-<region prefix><17 lowercase alnum>`. */
export function randomId(kind: string, regionId: string): string {
  return `${kind}-${regionPrefix(regionId)}${encode(randomBytes(SUFFIX_LENGTH), SUFFIX_LENGTH)}`;
}

/** A stable ID derived from `seed`: scenario files without explicit IDs load to the same IDs every time. */
export function derivedId(kind: string, regionId: string, seed: string): string {
  const digest = createHash('sha256').update(`${kind}\0${regionId}\0${seed}`).digest();
  return `${kind}-${regionPrefix(regionId)}${encode(digest, SUFFIX_LENGTH)}`;
}

/** A small deterministic PRNG (mulberry32): the fleet generator, seeded faults, and tests that replay a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `<kind>-<region prefix><17 chars>` drawn from a seeded PRNG. */
export function seededId(kind: string, regionId: string, rnd: () => number): string {
  let s = '';
  for (let i = 0; i < SUFFIX_LENGTH; i++) s += ALPHABET[Math.floor(rnd() * ALPHABET.length)];
  return `${kind}-${regionPrefix(regionId)}${s}`;
}
