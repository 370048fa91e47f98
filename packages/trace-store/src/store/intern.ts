/**
 * One copy of each resource (and each scope) however many spans name it: every export request
 * of a service repeats its resource (a few hundred bytes to a few kilobytes of attributes), and
 * holding one per span would spend most of the bound on copies. Counted by reference: the last
 * span to let go of one frees it, and its bytes.
 */
import { estimateBytes, stringBytes } from './estimate.ts'

export interface Interned<T> {
  readonly value: T
  readonly key: string
  refs: number
  /** The value and its key, as estimateBytes counts them. */
  readonly bytes: number
}

export class Interner<T> {
  private readonly entries = new Map<string, Interned<T>>()
  /** Estimated bytes of every value held. */
  bytes = 0

  /** The one copy of `value` (`value` itself the first time), with a reference more. */
  acquire(value: T): Interned<T> {
    const key = JSON.stringify(value)
    let entry = this.entries.get(key)
    if (entry === undefined) {
      // The map's entry: about 5 slots with the hash table's spare room.
      entry = { value, key, refs: 0, bytes: estimateBytes(value) + stringBytes(key) + 24 + 4 * 8 + 40 }
      this.entries.set(key, entry)
      this.bytes += entry.bytes
    }
    entry.refs += 1
    return entry
  }

  /** Lets go of `count` references; the entry is forgotten with the last. */
  release(entry: Interned<T>, count = 1): void {
    entry.refs -= count
    if (entry.refs <= 0 && this.entries.get(entry.key) === entry) {
      this.entries.delete(entry.key)
      this.bytes -= entry.bytes
    }
  }

  get size(): number {
    return this.entries.size
  }
}
