/**
 * System calls per order, counted by strace attached to running processes (`strace -c -f -p`): the
 * socket writes and reads the profiles point at, as numbers (docs/performance.md).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'

/** Each family of calls, and the system calls counted in it. */
const FAMILIES = {
  writes: ['write', 'writev', 'sendto', 'sendmsg', 'pwrite64'],
  reads: ['read', 'readv', 'recvfrom', 'recvmsg', 'pread64'],
  waits: ['epoll_wait', 'epoll_pwait', 'epoll_pwait2'],
} as const
export type Family = keyof typeof FAMILIES
const TRACED = Object.values(FAMILIES).flat()

export type Calls = Record<Family, number>

export const straceAvailable = () => spawnSync('strace', ['-V']).status === 0

/** The calls of strace's `-c` summary: `% time  seconds  usecs/call  calls  [errors]  syscall`. */
export function parseSummary(summary: string): Calls {
  const calls: Calls = { writes: 0, reads: 0, waits: 0 }
  for (const line of summary.split('\n')) {
    const match = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line)
    if (!match) continue
    const [, count, syscall] = match
    for (const [family, names] of Object.entries(FAMILIES) as [Family, readonly string[]][]) {
      if (names.includes(syscall as string)) calls[family] += Number(count)
    }
  }
  return calls
}

async function attach(pid: number): Promise<{ child: ChildProcess; summary: Promise<string> }> {
  const child = spawn('strace', ['-c', '-f', '-e', `trace=${TRACED.join(',')}`, '-p', String(pid)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let output = ''
  let attached: () => void = () => {}
  const ready = new Promise<void>((resolve) => {
    attached = resolve
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
    if (output.includes('attached')) attached()
  })
  const exited = once(child, 'exit')
  await Promise.race([ready, exited])
  return { child, summary: exited.then(() => output) }
}

/**
 * The calls each of `pids` made while `work` ran, per unit of what `work` returns (orders done).
 * strace stops the traced process at every system call, so `work` is a fixed number of orders run
 * apart from the timed cases; their speed under it means nothing.
 */
export async function callsPer(
  pids: Record<string, number>,
  work: () => Promise<number>,
): Promise<Record<string, Calls>> {
  const tracers = await Promise.all(Object.values(pids).map((pid) => attach(pid)))
  let units = 0
  try {
    units = await work()
  } finally {
    for (const { child } of tracers) child.kill('SIGINT')
  }
  const summaries = await Promise.all(tracers.map(({ summary }) => summary))
  // No summary table is not zero calls: strace could not attach (permissions, a process gone).
  const untraced = summaries.findIndex((summary) => !/^\s*[\d.]+\s.*\btotal\s*$/m.test(summary))
  if (untraced >= 0) {
    throw new Error(
      `strace counted nothing for ${Object.keys(pids)[untraced]}: ${summaries[untraced]?.trim().split('\n')[0]}`,
    )
  }
  const per = (calls: Calls): Calls => ({
    writes: calls.writes / units,
    reads: calls.reads / units,
    waits: calls.waits / units,
  })
  return Object.fromEntries(Object.keys(pids).map((name, i) => [name, per(parseSummary(summaries[i] ?? ''))]))
}
