/**
 * `npm run restock -- [--stock N] [--menu ID]…`: menus' stock set back between runs (the original
 * sample's scripts all order menu 1, and the first sells it out for the rest).
 * See docs/quick-start.md#back-to-fresh-data.
 */

import { numberOption, readCommandLine, usageError } from '@food/cli-kit/cli-args'
import { DEV_SERVICE_TOKEN } from '@food/config'
import { assertLoopback, LOCAL_TARGETS } from './targets.ts'

const USAGE = `usage: npm run restock -- [--stock N] [--menu ID]…
  --stock N   the stock each menu gets (default 100, as the dev seed)
  --menu ID   only this menu (repeatable); when absent, every menu but the load kitchen's
The restaurant service at RESTAURANT_SERVICE_URL (http://127.0.0.1:8002), with SERVICE_TOKEN
(npm start's development value unless set).`

const { values, positionals } = readCommandLine(USAGE, {
  stock: { type: 'string', default: '100' },
  menu: { type: 'string', multiple: true, default: [] },
  help: { type: 'boolean', short: 'h', default: false },
})
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
if (positionals.length > 0) usageError(`restock takes options only, not \`${positionals[0]}\``, USAGE)
// As the restaurant's integer columns hold them.
const INT_MAX = 2_147_483_647
const parsed = {
  stock: numberOption('stock', values.stock, { min: 0, max: INT_MAX, integer: true }, USAGE),
  menuIds: values.menu.map((id) => numberOption('menu', id, { min: 1, max: INT_MAX, integer: true }, USAGE)),
}
const restaurant = process.env.RESTAURANT_SERVICE_URL ?? LOCAL_TARGETS.restaurantInternal
assertLoopback({ ...LOCAL_TARGETS, restaurantInternal: restaurant })
// Every menu's stock (or the named menus') set back to N (the dev seed's 100), through the
// restaurant's internal route, orders untouched; the load kitchen's menus (made by load runs) only
// when named.
const response = await fetch(`${restaurant}/inventory/restock`, {
  method: 'POST',
  headers: {
    authorization: `Bearer ${process.env.SERVICE_TOKEN ?? DEV_SERVICE_TOKEN}`,
    'content-type': 'application/json',
  },
  body: JSON.stringify({ stock: parsed.stock, ...(parsed.menuIds.length > 0 ? { menu_ids: parsed.menuIds } : {}) }),
}).catch((error: Error) => {
  console.error(
    `restock: the restaurant service at ${restaurant} does not answer (${error.message}); is the fleet running?`,
  )
  process.exit(1)
})
const body = (await response.json()) as { restocked?: number; stock?: number; detail?: string }
if (!response.ok) {
  // The fleet's message names what was wrong (a menu that does not exist: "No such menu: 9999 …").
  console.error(`restock: ${body.detail ?? `${response.status} ${response.statusText}`}`)
  process.exit(1)
}
const menus = body.restocked === 1 ? 'menu' : 'menus'
console.log(`restocked ${body.restocked} ${menus} to ${body.stock} each`)
