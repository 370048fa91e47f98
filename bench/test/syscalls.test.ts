import { describe, expect, it } from 'vitest'
import { parseSummary } from '../src/syscalls.ts'

// strace -c -f's summary as strace 6 prints it, the errors column empty but for one call.
const SUMMARY = `strace: Process 4242 attached with 11 threads
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 41.20    0.412000          41     10000           writev
 20.00    0.200000          20      3000       120 read
 10.00    0.100000          10      2000           epoll_pwait
  5.00    0.050000          10      1200           write
  2.00    0.020000          10       300           recvfrom
  1.00    0.010000          10       100           futex
------ ----------- ----------- --------- --------- ----------------
100.00    1.000000          60     16600       120 total
`

describe('parseSummary', () => {
  it('sums each family of calls from strace’s table, errors or not, and leaves out the rest and the total', () => {
    expect(parseSummary(SUMMARY)).toEqual({ writes: 11_200, reads: 3300, waits: 2000 })
  })

  it('counts nothing from output without a table (strace could not attach)', () => {
    expect(parseSummary('strace: attach: ptrace(PTRACE_SEIZE, 1): Operation not permitted\n')).toEqual({
      writes: 0,
      reads: 0,
      waits: 0,
    })
  })
})
