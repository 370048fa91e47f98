/**
 * `npm run restock -- [--stock N] [--menu ID]…`: every menu's stock (or the named menus') set back
 * to N (the dev seed's 100), through the restaurant's internal route, orders untouched. Between
 * runs: the original sample's scripts all order menu 1, and the first sells it out for the rest.
 */
import { DEV_SERVICE_TOKEN } from '@food/config'
import { assertLoopback, LOCAL_TARGETS } from './targets.ts'

const USAGE = `usage: npm run restock -- [--stock N] [--menu ID]…
  --stock N   the stock each menu gets (default 100, as the dev seed)
  --menu ID   only this menu (repeatable); every menu when absent
The restaurant service at RESTAURANT_SERVICE_URL (http://127.0.0.1:8002), with SERVICE_TOKEN
(npm start's development value unless set).`

function parse(args: string[]): { stock: number; menuIds: number[] } | string {
  let stock = 100
  const menuIds: number[] = []
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]]
    if (flag === '-h' || flag === '--help') return USAGE
    if (flag !== '--stock' && flag !== '--menu') return `unknown argument ${flag}\n${USAGE}`
    const number = Number(value)
    if (!Number.isInteger(number) || number < (flag === '--menu' ? 1 : 0))
      return `${flag} takes a whole number\n${USAGE}`
    if (flag === '--stock') stock = number
    else menuIds.push(number)
    i++
  }
  return { stock, menuIds }
}

const parsed = parse(process.argv.slice(2))
if (typeof parsed === 'string') {
  console.log(parsed)
  process.exit(parsed === USAGE ? 0 : 2)
}
const restaurant = process.env.RESTAURANT_SERVICE_URL ?? LOCAL_TARGETS.restaurantInternal
assertLoopback({ ...LOCAL_TARGETS, restaurantInternal: restaurant })
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
  console.error(`restock: ${response.status} ${body.detail ?? ''}`)
  process.exit(1)
}
console.log(`restocked ${body.restocked} menus to ${body.stock} each`)
