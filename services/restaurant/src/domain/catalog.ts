export interface MenuView {
  id: number
  restaurant_id: number
  name: string
  description: string
  /** Korean won. */
  price: number
  stock: number
}

export interface RestaurantView {
  id: number
  name: string
  category: string
  address: string
  menus: MenuView[]
}

export const toMenuView = (menu: {
  id: number
  restaurantId: number
  name: string
  description: string
  price: number
  stock: number
}): MenuView => ({
  id: menu.id,
  restaurant_id: menu.restaurantId,
  name: menu.name,
  description: menu.description,
  price: menu.price,
  stock: menu.stock,
})

export const toRestaurantView = (restaurant: {
  id: number
  name: string
  category: string
  address: string
  menus: Parameters<typeof toMenuView>[0][]
}): RestaurantView => ({
  id: restaurant.id,
  name: restaurant.name,
  category: restaurant.category,
  address: restaurant.address,
  menus: restaurant.menus.map(toMenuView),
})
