/** A menu as the API shows it: ours (`stock`) and the original sample's fields beside it. */
export interface MenuView {
  id: number
  restaurant_id: number
  name: string
  description: string
  /** Korean won. */
  price: number
  stock: number
  /** The original's name for `stock`. */
  inventory: number
  /** The original's sold-out flag: false exactly when nothing is in stock. */
  is_available: boolean
  image_url: string | null
  created_at: string
}

export interface RestaurantView {
  id: number
  name: string
  category: string
  address: string
  phone: string | null
  description: string
  created_at: string
  menus: MenuView[]
}

export const toMenuView = (menu: {
  id: number
  restaurantId: number
  name: string
  description: string
  price: number
  stock: number
  imageUrl: string | null
  createdAt: Date
}): MenuView => ({
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
