import { type Static, Type } from '@sinclair/typebox'

/** A menu as the API shows it: ours (`stock`) and the original sample's fields beside it. */
export const MenuView = Type.Object(
  {
    id: Type.Integer({ examples: [1] }),
    restaurant_id: Type.Integer({ examples: [1] }),
    name: Type.String({ examples: ['김치찌개'] }),
    description: Type.String({ examples: ['Kimchi stew with pork and tofu'] }),
    price: Type.Integer({ description: 'Korean won', examples: [9000] }),
    stock: Type.Integer({ minimum: 0, examples: [100] }),
    inventory: Type.Integer({ minimum: 0, description: 'The same as `stock` (the original sample’s name)' }),
    is_available: Type.Boolean({
      description: 'False exactly when `stock` is 0 (the original sample’s sold-out flag)',
    }),
    image_url: Type.Union([Type.String(), Type.Null()], { description: 'The original sample’s field; null when none' }),
    created_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'Menu', title: 'Menu' },
)
export type MenuView = Static<typeof MenuView>

export const RestaurantView = Type.Object(
  {
    id: Type.Integer({ examples: [1] }),
    name: Type.String({ examples: ['할머니 김치찌개'] }),
    category: Type.String({ examples: ['korean'] }),
    address: Type.String({ examples: ['서울 종로구 종로 1'] }),
    phone: Type.Union([Type.String(), Type.Null()], { examples: ['02-1234-5678'] }),
    description: Type.String({ examples: ['Stews as a grandmother makes them'] }),
    created_at: Type.String({ format: 'date-time' }),
    menus: Type.Array(Type.Ref(MenuView)),
  },
  { $id: 'Restaurant', title: 'Restaurant' },
)
export type RestaurantView = Static<typeof RestaurantView>

/**
 * The restaurant the lab's load runs put their menus in (made on demand, once), so that they do
 * not crowd the shop's restaurants: `npm run restock` leaves its menus alone, and the web shop
 * shows it apart by its category.
 */
export const LOAD_KITCHEN = {
  name: 'Load test kitchen',
  category: 'load-test',
  address: 'the lab',
  phone: null,
  description: 'Menus the load runs made for themselves; npm run restock leaves them alone',
} as const

/** A menu as the database holds it. */
export interface MenuRecord {
  id: number
  restaurantId: number
  name: string
  description: string
  price: number
  stock: number
  imageUrl: string | null
  createdAt: Date
}

export const toMenuView = (menu: MenuRecord): MenuView => ({
  id: menu.id,
  restaurant_id: menu.restaurantId,
  name: menu.name,
  description: menu.description,
  price: menu.price,
  stock: menu.stock,
  inventory: menu.stock,
  is_available: menu.stock > 0,
  image_url: menu.imageUrl,
  created_at: menu.createdAt.toISOString(),
})

export const toRestaurantView = (restaurant: {
  id: number
  name: string
  category: string
  address: string
  phone: string | null
  description: string
  createdAt: Date
  menus: Parameters<typeof toMenuView>[0][]
}): RestaurantView => ({
  id: restaurant.id,
  name: restaurant.name,
  category: restaurant.category,
  address: restaurant.address,
  phone: restaurant.phone,
  description: restaurant.description,
  created_at: restaurant.createdAt.toISOString(),
  menus: restaurant.menus.map(toMenuView),
})
