/**
 * The invariants a load's orders must keep (stock never negative, every unit accounted for, no order
 * left half-way), read back from the services (docs/load-testing.md#the-seven-load-experiments).
 */
import type { LoadUser } from '../load/load-iteration.ts'
import type { FleetClient } from './fleet-client.ts'

export interface InvariantResult {
  name: string
  ok: boolean
  detail: string
}

interface OrderView {
  id: number
  status: string
  stock_status: string
  items: { menu_id: number; quantity: number }[]
}

const UNSETTLED = new Set(['reserving', 'reserved', 'releasing'])
const isSettled = (order: OrderView) => order.status !== 'PENDING' && !UNSETTLED.has(order.stock_status)

/** Every order of these users that holds (or held) the menu, read back from the order service. */
async function ordersOf(client: FleetClient, users: LoadUser[], menuId: number): Promise<OrderView[]> {
  const orders: OrderView[] = []
  for (const user of users) {
    for (let offset = 0; ; offset += 100) {
      const page = await client.call('order', 'GET', `/orders?limit=100&offset=${offset}`, {
        token: user.token,
        record: false,
      })
      if (page.status !== 200) throw new Error(`GET /orders answered ${page.status}`)
      orders.push(
        ...(page.body.orders as OrderView[]).filter((order) => order.items.some((item) => item.menu_id === menuId)),
      )
      if (offset + 100 >= page.body.total) break
    }
  }
  return orders
}

interface Ledger {
  stock: number
  reserved_units: number
}

/** What holds at every instant, orders in flight or not: stock never below 0, stock + held units unchanged. */
const ledgerInvariants = (ledger: Ledger, initialStock: number): [InvariantResult, InvariantResult] => [
  { name: 'stock never negative', ok: ledger.stock >= 0, detail: `stock ${ledger.stock}` },
  {
    name: 'initial = stock + units the restaurant holds for orders',
    ok: ledger.stock + ledger.reserved_units === initialStock,
    detail: `${initialStock} = ${ledger.stock} + ${ledger.reserved_units}`,
  },
]

/**
 * Tries at reading the ledger. A fault in force may stand between: the error switch fails half of
 * the requests at random, so five tries all failed once in about 32 probes and broke a storm run in
 * CI; twenty tries fail once in a million.
 */
const LEDGER_TRIES = 20

/** The menu's ledger as the restaurant says, after a few tries; then an error, never a made-up ledger. */
async function ledgerOf(client: FleetClient, menuId: number): Promise<Ledger> {
  let status = 0
  for (let attempt = 1; attempt <= LEDGER_TRIES; attempt++) {
    const answer = await client.call('restaurant', 'GET', `/inventory/${menuId}`, { record: false })
    if (answer.status === 200) return answer.body
    status = answer.status
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the restaurant answered ${status} to GET /inventory/${menuId}, ${LEDGER_TRIES} times`)
}

/** The invariants that hold while a load still runs (the restaurant's ledger only). */
export async function checkInstantInvariants(
  client: FleetClient,
  options: { menuId: number; initialStock: number },
): Promise<InvariantResult[]> {
  return ledgerInvariants(await ledgerOf(client, options.menuId), options.initialStock)
}

/**
 * Waits until every order is settled (the recoverer finishes what failed), then checks the
 * invariants against what the services themselves say.
 */
export async function checkInvariants(
  client: FleetClient,
  options: { users: LoadUser[]; menuId: number; initialStock: number; settleTimeoutS: number },
): Promise<InvariantResult[]> {
  const deadline = Date.now() + options.settleTimeoutS * 1000
  let orders = await ordersOf(client, options.users, options.menuId)
  while (orders.some((order) => !isSettled(order)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500))
    orders = await ordersOf(client, options.users, options.menuId)
  }
  const ledger = await ledgerOf(client, options.menuId)
  const unitsOf = (order: OrderView) =>
    order.items.filter((item) => item.menu_id === options.menuId).reduce((sum, item) => sum + item.quantity, 0)
  const confirmedUnits = orders
    .filter((order) => order.status === 'CONFIRMED')
    .reduce((sum, order) => sum + unitsOf(order), 0)
  const unsettled = orders.filter((order) => !isSettled(order))
  const unreleased = orders.filter(
    (order) => ['FAILED', 'CANCELLED'].includes(order.status) && order.stock_status !== 'released',
  )

  const [notNegative, held] = ledgerInvariants(ledger, options.initialStock)
  return [
    notNegative,
    {
      name: 'initial = stock + units in CONFIRMED orders',
      ok: ledger.stock + confirmedUnits === options.initialStock,
      detail: `${options.initialStock} = ${ledger.stock} + ${confirmedUnits}`,
    },
    held,
    {
      name: `no order left PENDING or holding stock half-way (after ${options.settleTimeoutS} s)`,
      ok: unsettled.length === 0,
      detail:
        unsettled.length === 0
          ? `${orders.length} orders settled`
          : `unsettled: ${unsettled.map((o) => o.id).join(', ')}`,
    },
    {
      name: 'every FAILED or CANCELLED order gave all its units back',
      ok: unreleased.length === 0,
      detail: unreleased.length === 0 ? 'all released' : `not released: ${unreleased.map((o) => o.id).join(', ')}`,
    },
  ]
}
