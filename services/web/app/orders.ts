import { api, messageOf, orderTraces, session } from './api.ts'
import { h, show, won } from './dom.ts'

/** The fields of the order service's order view that the pages show. */
export interface Order {
  id: number
  status: string
  /** The code, for tools and tooltips; `failure_message` says it in words. */
  failure_reason: string | null
  failure_message: string | null
  total_price: number
  created_at: string
  items: { name: string; quantity: number }[]
}

/** Why an order failed, in words, with its code in a tooltip. */
const failureOf = (order: Order) =>
  order.failure_reason &&
  h('span', { class: 'reason', title: order.failure_reason }, order.failure_message ?? order.failure_reason)

/**
 * One click to an order's trace: the trace of the request that placed it when this browser placed
 * it (its X-Trace-Id), else a search of the trace store for the spans that name the order (`order.id`).
 */
const traceLink = (order: Order) => {
  const traceId = orderTraces.of(order.id)
  return traceId
    ? h(
        'a',
        { href: `#/traces/${traceId}`, 'aria-label': `Trace of order ${order.id}`, 'data-trace': traceId },
        'Trace',
      )
    : h('a', { href: `#/traces?order=${order.id}`, 'aria-label': `Find the trace of order ${order.id}` }, 'Find trace')
}

/** The signed-in user's orders, newest first, each with its trace, with a cancel button on the confirmed ones. */
export async function ordersView(view: HTMLElement, say: (message: string, kind?: 'error' | 'ok') => void) {
  if (!session.user()) {
    show(view, h('h1', {}, 'My orders'), h('p', {}, h('a', { href: '#/login' }, 'Log in'), ' to see your orders.'))
    return
  }
  const table = h('div')
  show(view, h('h1', {}, 'My orders'), table)
  const load = async () => {
    const { orders } = await api<{ orders: Order[] }>('order', '/orders?limit=50')
    if (orders.length === 0) return show(table, h('p', {}, 'No order yet.'))
    show(
      table,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'orders' },
          h('caption', {}, 'Your orders, newest first'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Order', 'Placed', 'Items', 'Total', 'Status', 'Reason', 'Trace', ''].map((title) =>
                h('th', { scope: 'col' }, title),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...orders.map((order) =>
              h(
                'tr',
                { 'data-order-id': order.id },
                h('td', { class: 'order-id' }, `#${order.id}`),
                h('td', { class: 'placed' }, new Date(order.created_at).toLocaleString()),
                h('td', { class: 'items' }, order.items.map((item) => `${item.name} × ${item.quantity}`).join(', ')),
                h('td', {}, won(order.total_price)),
                h('td', { class: `order-status ${order.status.toLowerCase()}` }, order.status),
                h('td', { class: 'why' }, failureOf(order)),
                h('td', { class: 'trace' }, traceLink(order)),
                h(
                  'td',
                  { class: 'actions' },
                  order.status === 'CONFIRMED' &&
                    h(
                      'button',
                      {
                        type: 'button',
                        'aria-label': `Cancel order ${order.id}`,
                        onclick: async () => {
                          try {
                            await api('order', `/orders/${order.id}/cancel`, { method: 'POST' })
                            say(`Order #${order.id} cancelled: its stock is back.`, 'ok')
                          } catch (error) {
                            say(messageOf(error), 'error')
                          }
                          await load()
                        },
                      },
                      'Cancel',
                    ),
                ),
              ),
            ),
          ),
        ),
      ),
    )
  }
  try {
    await load()
  } catch (error) {
    say((error as Error).message, 'error')
  }
}
