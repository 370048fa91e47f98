import { api, messageOf, orderTraces, session, tracedApi } from './api.ts'
import { cart } from './cart.ts'
import { h, show, won } from './dom.ts'
import type { Order } from './orders.ts'

interface Menu {
  id: number
  restaurant_id: number
  name: string
  description: string
  price: number
  stock: number
  is_available: boolean
}

interface Restaurant {
  id: number
  name: string
  category: string
  description: string
  menus: Menu[]
}

/**
 * The category of the restaurant's load kitchen (LOAD_KITCHEN in services/restaurant's domain),
 * where load runs make their menus: shown apart from the shop's restaurants.
 */
const LOAD_KITCHEN_CATEGORY = 'load-test'

/** The shop: every restaurant's menus with their stock, a cart, and the order form; the load kitchen's apart. */
export async function shopView(view: HTMLElement, say: (message: string, kind?: 'error' | 'ok') => void) {
  const catalogue = h('div', { class: 'catalogue' })
  const basket = h('section', { class: 'cart', 'aria-labelledby': 'cart-title' })
  show(view, h('h1', {}, 'Menus'), h('div', { class: 'shop' }, catalogue, basket))
  let restaurants: Restaurant[] = []
  let menus: Menu[] = []

  let kitchenOpen = false

  const restaurantSection = (restaurant: Restaurant) =>
    h(
      'section',
      {
        class: 'restaurant',
        'aria-labelledby': `restaurant-${restaurant.id}`,
        'data-restaurant-id': restaurant.id,
      },
      h('h2', { id: `restaurant-${restaurant.id}` }, restaurant.name, h('small', {}, ` · ${restaurant.category}`)),
      h('p', { class: 'description' }, restaurant.description),
      restaurant.menus.length === 0
        ? h('p', {}, 'No menu yet.')
        : h('div', { class: 'menu-grid' }, ...restaurant.menus.map(menuCard)),
    )

  /** The load runs' menus, apart and folded: they are the lab's, not the shop's. */
  const kitchenSection = (kitchen: Restaurant) => {
    const section = h(
      'details',
      {
        class: 'load-kitchen',
        'data-restaurant-id': kitchen.id,
        open: kitchenOpen,
        ontoggle: () => {
          kitchenOpen = section.open
        },
      },
      h(
        'summary',
        {},
        `${kitchen.name}: ${kitchen.menus.length} ${kitchen.menus.length === 1 ? 'menu' : 'menus'} made by load runs`,
      ),
      h('p', { class: 'description' }, kitchen.description),
      h('div', { class: 'menu-grid' }, ...kitchen.menus.map(menuCard)),
    )
    return section
  }

  const renderMenus = () => {
    const shops = restaurants.filter((restaurant) => restaurant.category !== LOAD_KITCHEN_CATEGORY)
    const kitchens = restaurants.filter((restaurant) => restaurant.category === LOAD_KITCHEN_CATEGORY)
    show(
      catalogue,
      shops.length === 0 && h('p', {}, 'No restaurant yet.'),
      ...shops.map(restaurantSection),
      ...kitchens.map(kitchenSection),
    )
  }

  const menuCard = (menu: Menu) =>
    h(
      'article',
      { class: `menu${menu.is_available ? '' : ' sold-out'}`, 'data-menu-id': menu.id },
      h('h3', {}, menu.name),
      h('p', { class: 'description' }, menu.description),
      h('p', { class: 'price' }, won(menu.price)),
      h('p', { class: 'stock' }, menu.is_available ? `In stock: ${menu.stock}` : 'Sold out'),
      h(
        'button',
        {
          type: 'button',
          disabled: !menu.is_available,
          'aria-label': `Add ${menu.name} to the order`,
          onclick: () => {
            cart.add(menu.id, 1)
            renderCart()
          },
        },
        menu.is_available ? 'Add' : 'Sold out',
      ),
    )

  const renderCart = () => {
    const lines = cart.lines()
    const priced = lines.map((line) => ({ line, menu: menus.find((menu) => menu.id === line.menu_id) }))
    const total = priced.reduce((sum, { line, menu }) => sum + (menu?.price ?? 0) * line.quantity, 0)
    const address = h('input', {
      id: 'address',
      name: 'address',
      required: true,
      autocomplete: 'street-address',
      value: '서울 강남구 테헤란로 1',
    })
    const phone = h('input', {
      id: 'phone',
      name: 'phone',
      required: true,
      autocomplete: 'tel',
      value: '010-1234-5678',
    })
    const form = h(
      'form',
      {
        class: 'order-form',
        onsubmit: async (event: Event) => {
          event.preventDefault()
          if (!session.user()) return say('Log in to order.', 'error')
          try {
            const { data: order, traceId } = await tracedApi<Order>('order', '/orders', {
              json: { items: cart.lines(), address: address.value, phone: phone.value },
            })
            // My orders links the order to its trace.
            if (traceId) orderTraces.remember(order.id, traceId)
            cart.clear()
            say(
              order.status === 'FAILED'
                ? `Order #${order.id} FAILED: ${order.failure_message ?? order.failure_reason}`
                : `Order #${order.id} ${order.status}: ${won(order.total_price)}`,
              order.status === 'FAILED' ? 'error' : 'ok',
            )
          } catch (error) {
            say(`Order refused: ${messageOf(error)}`, 'error')
          }
          await load()
        },
      },
      h('label', { for: 'address' }, 'Address'),
      address,
      h('label', { for: 'phone' }, 'Phone'),
      phone,
      h('button', { type: 'submit', disabled: lines.length === 0 }, 'Place order'),
    )
    show(
      basket,
      h('h2', { id: 'cart-title' }, 'Your order'),
      lines.length === 0
        ? h('p', {}, 'Nothing yet: add a menu.')
        : h(
            'ul',
            { class: 'cart-lines' },
            ...priced.map(({ line, menu }) =>
              h(
                'li',
                {},
                h('span', {}, `${menu?.name ?? `Menu ${line.menu_id}`} × ${line.quantity}`),
                h(
                  'button',
                  {
                    type: 'button',
                    'aria-label': `One less ${menu?.name ?? ''}`,
                    onclick: () => change(line.menu_id, -1),
                  },
                  '−',
                ),
                h(
                  'button',
                  {
                    type: 'button',
                    'aria-label': `One more ${menu?.name ?? ''}`,
                    onclick: () => change(line.menu_id, 1),
                  },
                  '+',
                ),
              ),
            ),
          ),
      h('p', { class: 'total' }, `Total: ${won(total)}`),
      lines.length > 0 &&
        h(
          'button',
          {
            type: 'button',
            onclick: () => {
              cart.clear()
              renderCart()
            },
          },
          'Empty the order',
        ),
      form,
    )
  }

  const change = (menuId: number, delta: number) => {
    cart.add(menuId, delta)
    renderCart()
  }

  const load = async () => {
    try {
      restaurants = await api<Restaurant[]>('restaurant', '/restaurants')
      menus = restaurants.flatMap((restaurant) => restaurant.menus)
    } catch (error) {
      say(`Menus could not be loaded: ${(error as Error).message}`, 'error')
    }
    renderMenus()
    renderCart()
  }
  await load()
}
