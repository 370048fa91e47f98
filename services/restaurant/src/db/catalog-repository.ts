import { type MenuView, type RestaurantView, toMenuView, toRestaurantView } from '../domain/catalog.ts'
import type { RestaurantPrismaClient } from './prisma-client.ts'

const MENUS_BY_ID = { orderBy: { id: 'asc' } } as const

/** Read side of restaurants and menus; stock changes go through the inventory store. */
export class CatalogRepository {
  readonly #prisma: RestaurantPrismaClient

  constructor(prisma: RestaurantPrismaClient) {
    this.#prisma = prisma
  }

  async listMenus(restaurantId?: number): Promise<MenuView[]> {
    const menus = await this.#prisma.menu.findMany({
      ...MENUS_BY_ID,
      ...(restaurantId === undefined ? {} : { where: { restaurantId } }),
    })
    return menus.map(toMenuView)
  }

  async findMenu(id: number): Promise<MenuView | undefined> {
    const menu = await this.#prisma.menu.findUnique({ where: { id } })
    return menu ? toMenuView(menu) : undefined
  }

  /** The new menu, or `undefined` when there is no such restaurant. */
  async createMenu(menu: {
    restaurantId: number
    name: string
    description: string
    price: number
    stock: number
    imageUrl: string | null
  }): Promise<MenuView | undefined> {
    if (!(await this.#prisma.restaurant.findUnique({ where: { id: menu.restaurantId }, select: { id: true } }))) {
      return undefined
    }
    return toMenuView(await this.#prisma.menu.create({ data: menu }))
  }

  async listRestaurants(): Promise<RestaurantView[]> {
    const restaurants = await this.#prisma.restaurant.findMany({
      orderBy: { id: 'asc' },
      include: { menus: MENUS_BY_ID },
    })
    return restaurants.map(toRestaurantView)
  }

  async findRestaurant(id: number): Promise<RestaurantView | undefined> {
    const restaurant = await this.#prisma.restaurant.findUnique({ where: { id }, include: { menus: MENUS_BY_ID } })
    return restaurant ? toRestaurantView(restaurant) : undefined
  }
}
