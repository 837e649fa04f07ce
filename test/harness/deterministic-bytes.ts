import { createHash } from 'node:crypto';

/**
 * `length` bytes that depend only on `seed`: SHA-256 of seed and a block counter, concatenated.
 * They look random to gzip, so a layer's compressed size tracks the requested size, and the same
 * seed gives the same bytes on every run and machine.
 */
export function deterministicBytes(seed: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * 32 < length; counter++) {
    blocks.push(createHash('sha256').update(`${seed}\0${counter}`).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}
