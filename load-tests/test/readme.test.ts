/**
 * The README's "Try it" walk-through, run with bash and curl as written against the seeded fleet
 * (only `localhost:800N` pointed at the test's ports), and each command's answer checked against
 * what the README's comments say it is.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { FLEET_START_MS, fleetTest, seedDevData, type TestFleet } from '@food/order-service/test-fleet'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SEPARATOR = '--- next command ---'
const run = promisify(execFile)

/** The shell block under a heading, split into commands (a line with its `\` continuations). */
function commandsUnder(markdown: string, heading: string): string[] {
  const section = markdown.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? ''
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  const commands: string[] = []
  let current = ''
  for (const line of block.split('\n')) {
    if (!current && (line.trim() === '' || line.trimStart().startsWith('#'))) continue
    current += `${line}\n`
    if (!line.endsWith('\\')) {
      commands.push(current.trimEnd())
      current = ''
    }
  }
  return commands
}

// The file's helpers share the fixture's fleet; the fixture closes it after the last test.
let fleet: TestFleet
fleetTest.beforeAll(async ({ fleet: started }) => {
  fleet = started
  await seedDevData(fleet)
}, FLEET_START_MS)

describe('the README’s walk-through', () => {
  it('runs as written, and every answer is what its comment says', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
    const commands = commandsUnder(readme, 'Try it')
    expect(commands).toHaveLength(9)
    const ports: Record<string, string> = {
      8001: fleet.user.baseUrl,
      8002: fleet.restaurant.baseUrl,
      8003: fleet.order.baseUrl,
    }
    const script = commands
      .map((command) => command.replace(/localhost:(800[123])/g, (_, port: string) => ports[port] as string))
      .join(`\necho; echo '${SEPARATOR}'\n`)
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8' })
    const answers = stdout
      .split(`${SEPARATOR}\n`)
      .map((text) => text.trim())
      .filter((text) => text !== '')
      .map((text) => JSON.parse(text))
    // The login keeps its token in $TOKEN and prints nothing; each other command prints one answer.
    expect(answers).toHaveLength(8)
    const [menu, confirmed, chaosSet, failed, chaosView, cleared, orders, inventory] = answers
    expect(menu).toMatchObject({ id: 1, name: '김치찌개', stock: 100 })
    expect(confirmed).toMatchObject({ status: 'CONFIRMED', payment_status: 'paid' })
    expect(chaosSet).toMatchObject({ fault: 'payment_fail', value: 100, expires_at: expect.any(String) })
    expect(failed).toMatchObject({ status: 'FAILED', failure_reason: 'payment_failed' })
    expect(chaosView.faults).toEqual({
      payment_fail: expect.objectContaining({ value: 100, expires_at: chaosSet.expires_at }),
    })
    expect(cleared).toMatchObject({ cleared: ['payment_fail'] })
    expect(orders.orders.map((order: { id: number }) => order.id)).toEqual([failed.id, confirmed.id])
    expect(inventory).toMatchObject({ menu_id: 1, stock: 98, reserved_units: 2, restored_units: 2 })
  }, 60_000)
})
