export interface CartLine {
  menu_id: number
  quantity: number
}

const CART = 'food.cart'

/** The cart, kept in localStorage so it survives a reload (as the original's). */
export const cart = {
  lines: (): CartLine[] => JSON.parse(localStorage.getItem(CART) ?? '[]'),
  save: (lines: CartLine[]) => localStorage.setItem(CART, JSON.stringify(lines.filter((line) => line.quantity > 0))),
  add(menuId: number, delta: number) {
    const lines = cart.lines()
    const line = lines.find((each) => each.menu_id === menuId)
    if (line) line.quantity += delta
    else if (delta > 0) lines.push({ menu_id: menuId, quantity: delta })
    cart.save(lines)
  },
  clear: () => localStorage.removeItem(CART),
}
