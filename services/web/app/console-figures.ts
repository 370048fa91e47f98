// The console's live figures: orders per second by outcome with their p95, and the stock adding up.
import { parseExposition, SampleStore } from '@food/promql'
import { api, metricsOf } from './api.ts'
import { h, show } from './dom.ts'
import {
  checkStock,
  type MenuStock,
  orderFiguresOf,
  STOCK_CHOICES,
  type StockChoice,
  stockCaption,
  watchedMenus,
} from './live-figures.ts'

/** How often the console reads the fleet again. */
export const REFRESH_MS = 2000
// How many menus the stock table watches: it reads each one's ledger on every refresh, so only a few.
const STOCK_MENUS = 12

/** `CONFIRMED`, or `FAILED (payment_failed)`: a status and, when there is one, its reason. */
const outcomeName = ({ status, reason }: { status: string; reason: string }) =>
  reason === '' || reason === 'none' ? status : `${status} (${reason})`

/** Orders per second by outcome and the p95 of POST /orders, from two scrapes of the order service. */
export function orderFigures() {
  const body = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Waiting for a second scrape…'))
  // Two scrapes are enough: the older ones are dropped after a few seconds.
  const store = new SampleStore(3 * REFRESH_MS)
  let previousAt: number | undefined
  const refresh = async () => {
    const text = await metricsOf('order')
    const at = Date.now()
    store.add('order', at, parseExposition(text))
    if (previousAt !== undefined) {
      const { outcomes, p95Seconds: p95 } = orderFiguresOf(store, at - previousAt)
      show(
        body,
        h(
          'dl',
          { class: 'figures' },
          h('dt', {}, 'Orders per second'),
          h(
            'dd',
            { 'data-figure': 'orders' },
            outcomes.length === 0
              ? 'none'
              : outcomes.map((outcome) => `${outcomeName(outcome)}: ${outcome.perSecond.toFixed(1)}`).join(' · '),
          ),
          h('dt', {}, 'p95 of POST /orders'),
          h(
            'dd',
            { 'data-figure': 'p95' },
            p95 === undefined ? 'no order in the window' : `${Math.round(p95 * 1000)} ms`,
          ),
        ),
      )
    }
    previousAt = at
  }
  return {
    panel: h('section', { 'aria-labelledby': 'figures-title' }, h('h2', { id: 'figures-title' }, 'Orders'), body),
    refresh,
  }
}

/** Stock per menu beside the units orders hold, and whether their sum still is what it was. */
export function stockFigures() {
  const body = h('div', { 'aria-live': 'polite' })
  const baselines = new Map<number, number>()
  const picker = h(
    'select',
    { id: 'stock-menus' },
    ...Object.entries(STOCK_CHOICES).map(([value, { label }]) => h('option', { value }, `The ${STOCK_MENUS} ${label}`)),
  )
  const refresh = async () => {
    const menus = await api<MenuStock[]>('restaurant', '/menus')
    const choice = picker.value as StockChoice
    const watched = watchedMenus(menus, choice, STOCK_MENUS)
    const ledgers = await Promise.all(watched.map((menu) => api('restaurant', `/inventory/${menu.id}`)))
    const checks = checkStock(
      ledgers.map((ledger) => ({ menuId: ledger.menu_id, stock: ledger.stock, reserved: ledger.reserved_units })),
      baselines,
    )
    const holds = checks.every((check) => check.holds)
    show(
      body,
      h(
        'p',
        { class: holds ? 'invariant ok' : 'invariant broken', 'data-figure': 'invariant' },
        holds
          ? 'Stock invariant holds: stock + held units unchanged on every menu shown.'
          : 'Stock invariant BROKEN: see the menus marked ✗.',
      ),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'stock' },
          h('caption', { 'data-figure': 'stock-shown' }, stockCaption(watched.length, menus.length, choice)),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Menu', 'Stock', 'Held by orders', 'Sum', 'When first seen', ''].map((title) =>
                h('th', { scope: 'col' }, title),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...checks.map((check) =>
              h(
                'tr',
                { 'data-menu-id': check.menuId },
                h('th', { scope: 'row' }, watched.find((menu) => menu.id === check.menuId)?.name ?? `#${check.menuId}`),
                h('td', {}, check.stock),
                h('td', {}, check.reserved),
                h('td', {}, check.total),
                h('td', {}, check.baseline),
                h('td', { 'aria-label': check.holds ? 'holds' : 'broken' }, check.holds ? '✓' : '✗'),
              ),
            ),
          ),
        ),
      ),
    )
  }
  picker.addEventListener('change', () => void refresh())
  return {
    panel: h(
      'section',
      { 'aria-labelledby': 'stock-title' },
      h('h2', { id: 'stock-title' }, 'Stock'),
      h('p', { class: 'stock-picker' }, h('label', { for: 'stock-menus' }, 'Menus shown '), picker),
      body,
    ),
    refresh,
  }
}

/** The chaos console; returns what stops its refreshing when the page changes. */
