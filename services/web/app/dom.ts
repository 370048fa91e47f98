/** What an element may hold: nodes, or text (always set as text, never parsed as HTML). */
export type Child = Node | string | number | null | undefined | false

type Attributes = Record<string, string | number | boolean | EventListener | undefined>

/**
 * Builds an element: `on…` attributes become listeners, `true`/`false` toggle boolean attributes,
 * and every child string is a text node, so data from the services can never inject markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue
    if (typeof value === 'function') element.addEventListener(name.slice(2), value)
    else element.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    element.append(child instanceof Node ? child : String(child))
  }
  return element
}

/** Replaces what `parent` shows. */
export const show = (parent: Element, ...children: Child[]) => {
  parent.replaceChildren()
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    parent.append(child instanceof Node ? child : String(child))
  }
}

export const won = (amount: number) => `₩${new Intl.NumberFormat('ko-KR').format(amount)}`
