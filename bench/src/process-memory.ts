/**
 * The memory of a process tree, read from /proc (Linux): each process of it with its command line,
 * working directory and memory, and sums by role (docs/performance.md).
 */
import { readdir, readFile, readlink } from 'node:fs/promises'
import { basename } from 'node:path'

export interface ProcessMemory {
  pid: number
  ppid: number
  /** Its argv, as /proc/<pid>/cmdline holds it. */
  cmdline: string[]
  /** Its working directory (`''` when unreadable): node's `src/server.ts` is relative to it. */
  cwd: string
  /** Resident set, bytes: every page it has in memory, those it shares with others included. */
  rss: number
  /**
   * Proportional set, bytes: each shared page divided among the processes sharing it, so the PSS
   * of several processes adds up to what they hold together. Equal to `rss` when only VmRSS could
   * be read (`source: 'status'`).
   */
  pss: number
  /** Where the figures come from: smaps_rollup (RSS and PSS) or, when that is unreadable, status (VmRSS). */
  source: 'smaps_rollup' | 'status'
}

const kilobytes = (text: string, field: string) =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024

/** Each process's parent, from /proc/<pid>/stat (its 4th field, after the command name in parentheses). */
async function parents(): Promise<Map<number, number[]>> {
  const children = new Map<number, number[]>()
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    if (!stat) continue // gone meanwhile
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)])
  }
  return children
}

/** One process's memory and identity; `undefined` when it is gone (or was never there). */
export async function processMemory(pid: number, ppid = 0): Promise<ProcessMemory | undefined> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined)
  if (cmdline === undefined) return undefined
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '')
  const identity = { pid, ppid, cmdline: cmdline.split('\0').filter(Boolean), cwd }
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '')
  const rss = kilobytes(rollup, 'Rss')
  const pss = kilobytes(rollup, 'Pss')
  if (Number.isFinite(rss) && Number.isFinite(pss)) return { ...identity, rss, pss, source: 'smaps_rollup' }
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  // A zombie or a kernel thread has no VmRSS: it holds no user memory.
  const vmRss = kilobytes(status, 'VmRSS')
  const resident = Number.isFinite(vmRss) ? vmRss : 0
  return { ...identity, rss: resident, pss: resident, source: 'status' }
}

/** `root` and every process descended from it, root first, each as `processMemory` reads it. */
export async function processTree(root: number): Promise<ProcessMemory[]> {
  const children = await parents()
  const tree: ProcessMemory[] = []
  const visit = async (pid: number, ppid: number) => {
    const memory = await processMemory(pid, ppid)
    if (!memory) return
    tree.push(memory)
    for (const child of children.get(pid) ?? []) await visit(child, pid)
  }
  await visit(root, 0)
  return tree
}

export interface RoleMemory {
  role: string
  processes: number
  rss: number
  pss: number
}

/** The processes summed by `roleOf` (each role in the order first met), and the whole. */
export function byRole(
  tree: ProcessMemory[],
  roleOf: (each: ProcessMemory) => string,
): { roles: RoleMemory[]; total: RoleMemory } {
  const roles = new Map<string, RoleMemory>()
  for (const each of tree) {
    const role = roleOf(each)
    const entry = roles.get(role) ?? { role, processes: 0, rss: 0, pss: 0 }
    entry.processes += 1
    entry.rss += each.rss
    entry.pss += each.pss
    roles.set(role, entry)
  }
  const total: RoleMemory = { role: 'total', processes: 0, rss: 0, pss: 0 }
  for (const entry of roles.values()) {
    total.processes += entry.processes
    total.rss += entry.rss
    total.pss += entry.pss
  }
  return { roles: [...roles.values()], total }
}

/**
 * What a process of npm start's lab is, from its command line (and, for node's `src/server.ts`,
 * which is relative, its working directory): the launcher (`scripts/start.mjs`), `prometheus`,
 * `alertmanager` (Debian's `prometheus-alertmanager`), each service by its directory
 * (`services/<name>`), the web server (`services/web`), the fault proxy (`packages/fault-proxy`),
 * else `other` (tsx's esbuild helpers, anything the lab runs besides).
 */
export function labRole(each: Pick<ProcessMemory, 'cmdline' | 'cwd'>): string {
  const [program = '', ...args] = each.cmdline
  const name = basename(program)
  if (name === 'prometheus') return 'prometheus'
  if (name === 'alertmanager' || name === 'prometheus-alertmanager') return 'alertmanager'
  if (args.some((arg) => /(^|\/)scripts\/start\.mjs$/.test(arg))) return 'launcher'
  if (!/^node(\d+)?$/.test(name) || !args.some((arg) => /(^|\/)src\/server\.[cm]?[jt]s$/.test(arg))) return 'other'
  const place = /(?:^|\/)(services|packages)\/([^/]+)$/.exec(each.cwd)
  if (place?.[1] === 'packages' && place[2] === 'fault-proxy') return 'fault proxy'
  if (place?.[1] === 'services') return place[2] === 'web' ? 'web server' : `${place[2]} service`
  return 'other'
}
