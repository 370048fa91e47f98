/**
 * What the store's values cost on the heap, estimated as V8 lays them out on 64-bit Node (no
 * pointer compression), so the memory bound means bytes rather than a count of spans:
 * - an object: a 24-byte header (map, properties, elements) and an 8-byte slot per property;
 * - an array: 32 bytes (JSArray) and its backing store, 16 bytes and 8 a slot;
 * - a string: 16 bytes of header and one byte a character (two when it has one beyond Latin-1),
 *   rounded up to 8; a number that is no small integer is a 16-byte heap number; booleans,
 *   small integers, null and undefined live in the slot.
 * Held values are built once, as literals, so they have no spare slots; what the store adds around
 * each span and trace (its records, map entries, summaries) is counted by SPAN_OVERHEAD and
 * TRACE_OVERHEAD. test/memory.test.ts measures the heap a full store really takes against this.
 */

const OBJECT_HEADER = 24
const ARRAY_HEADER = 32 + 16
const STRING_HEADER = 16
export const SLOT = 8
const HEAP_NUMBER = 16

const align = (bytes: number) => Math.ceil(bytes / 8) * 8
const TWO_BYTE = /[\u0100-\uffff]/

export const stringBytes = (text: string): number =>
  STRING_HEADER + align(TWO_BYTE.test(text) ? text.length * 2 : text.length)

const isSmallInteger = (value: number) => Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31

/** The estimated heap bytes of a JSON-like value and everything it holds (shared parts counted each time). */
export function estimateBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return stringBytes(value)
    case 'number':
      return isSmallInteger(value) ? 0 : HEAP_NUMBER
    case 'bigint':
      return 24
    case 'object': {
      if (value === null) return 0
      if (Array.isArray(value)) {
        let bytes = ARRAY_HEADER + SLOT * value.length
        for (const item of value) bytes += estimateBytes(item)
        return bytes
      }
      let bytes = OBJECT_HEADER
      for (const key in value) {
        bytes += SLOT + estimateBytes((value as Record<string, unknown>)[key])
      }
      return bytes
    }
    default:
      return 0
  }
}

/**
 * Per span beyond its OTLP JSON: its record in the trace (resource, scope, times: an object of 6
 * slots and 2 heap numbers). Its slot in the trace's list of spans is counted as the list grows.
 */
export const SPAN_OVERHEAD = OBJECT_HEADER + 6 * SLOT + 2 * HEAP_NUMBER
/**
 * Per trace: its record (about 14 slots), its id (a 32-character string, which its spans share),
 * its list of spans (the slots counted as it grows), its entry in the store's map (about 5 slots with the hash table's spare
 * room), and the summary search reads (about 12 slots, a start time as a string, 3 heap numbers).
 */
export const TRACE_OVERHEAD =
  OBJECT_HEADER +
  14 * SLOT +
  stringBytes('0'.repeat(32)) +
  ARRAY_HEADER +
  5 * SLOT +
  OBJECT_HEADER +
  12 * SLOT +
  stringBytes('0'.repeat(19)) +
  3 * HEAP_NUMBER
/** A dropped trace's id remembered (its string and its map entry with a time). */
export const DROPPED_ID_BYTES = stringBytes('0'.repeat(32)) + 5 * SLOT + HEAP_NUMBER
