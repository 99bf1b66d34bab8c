import { randomBytes } from 'node:crypto';

/** A new globally unique DICOM UID under the 2.25 root (UUID-derived, ≤ 64 chars, PS3.5 §B.2). */
export function newUid(): string {
  const b = randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40; // RFC 4122 v4
  b[8] = (b[8] & 0x3f) | 0x80;
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return `2.25.${n.toString()}`;
}
