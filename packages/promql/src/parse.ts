/**
 * A subset of PromQL, parsed into a tree: selectors with label matchers (`=`, `!=`, `=~`, `!~`)
 * and ranges (`[30s]`), `rate`/`increase`, `histogram_quantile`, `vector`, the aggregations
 * `sum`/`avg`/`min`/`max`/`count` with `by`/`without`, arithmetic (`+ - * /`), comparisons as
 * filters (`> 0`: the series for which it holds; `x >= 0 or vector(0)` turns NaN into 0), `or`,
 * and parentheses. Anything else is refused with the position where it stops making sense.
 */

export type Matcher = { label: string; op: '=' | '!=' | '=~' | '!~'; value: string }

export type Expr =
  | { type: 'number'; value: number }
  | { type: 'selector'; name: string; matchers: Matcher[]; rangeMs?: number }
  | { type: 'call'; fn: (typeof FUNCTIONS)[number]; args: Expr[] }
  | {
      type: 'aggregate'
      op: (typeof AGGREGATIONS)[number]
      grouping?: { mode: 'by' | 'without'; labels: string[] }
      expr: Expr
    }
  | { type: 'binary'; op: BinaryOp; left: Expr; right: Expr }

export const COMPARISONS = ['==', '!=', '>', '<', '>=', '<='] as const
export type BinaryOp = '+' | '-' | '*' | '/' | 'or' | (typeof COMPARISONS)[number]

const FUNCTIONS = ['rate', 'increase', 'histogram_quantile', 'vector'] as const
export const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count'] as const

export class QueryError extends Error {}

type Token = { kind: 'number' | 'name' | 'string' | 'duration' | 'punct'; text: string; at: number }

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `30s`, `1m30s`, `500ms` in milliseconds. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)]
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) {
    throw new QueryError(`"${text}" is not a duration (e.g. 30s, 1m, 500ms)`)
  }
  return parts.reduce((sum, [, amount = '0', unit = 's']) => sum + Number(amount) * (UNITS_MS[unit] ?? 0), 0)
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < query.length) {
    const rest = query.slice(i)
    const space = /^\s+/.exec(rest)
    if (space) {
      i += space[0].length
      continue
    }
    const afterBracket = tokens.at(-1)?.text === '['
    const match =
      (afterBracket && /^[0-9][0-9a-z.]*/.exec(rest)) ||
      /^(?:[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)/i.exec(rest) ||
      /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest) ||
      /^"(?:[^"\\]|\\.)*"|^'(?:[^'\\]|\\.)*'/.exec(rest) ||
      /^(?:=~|!~|!=|==|>=|<=|[{}()[\],=+\-*/<>])/.exec(rest)
    if (!match) throw new QueryError(`unexpected "${rest[0]}" at ${i + 1}`)
    const text = match[0]
    const kind: Token['kind'] = afterBracket
      ? 'duration'
      : /^[0-9.]/.test(text)
        ? 'number'
        : /^["']/.test(text)
          ? 'string'
          : /^[a-zA-Z_:]/.test(text)
            ? 'name'
            : 'punct'
    tokens.push({ kind, text, at: i + 1 })
    i += text.length
  }
  return tokens
}

/** Parses a query; throws a QueryError saying where it went wrong. */
export function parseQuery(query: string): Expr {
  const tokens = tokenize(query)
  let position = 0
  const peek = () => tokens[position]
  const where = () => (peek() ? `at ${peek()?.at} ("${peek()?.text}")` : 'at the end')
  const take = (text?: string): Token => {
    const token = tokens[position]
    if (!token || (text !== undefined && token.text !== text)) {
      throw new QueryError(`expected ${text ? `"${text}"` : 'more'} ${where()}`)
    }
    position++
    return token
  }
  const accept = (text: string) => {
    if (peek()?.text !== text) return false
    position++
    return true
  }

  const labelList = (): string[] => {
    take('(')
    const labels: string[] = []
    while (!accept(')')) {
      const token = take()
      if (token.kind !== 'name') throw new QueryError(`expected a label name at ${token.at}`)
      labels.push(token.text)
      if (peek()?.text !== ')') take(',')
    }
    return labels
  }

  const grouping = () => {
    const mode = peek()?.text
    if (mode !== 'by' && mode !== 'without') return undefined
    position++
    return { mode, labels: labelList() } as const
  }

  const selector = (name: string): Expr => {
    const matchers: Matcher[] = []
    if (accept('{')) {
      while (!accept('}')) {
        const label = take()
        if (label.kind !== 'name') throw new QueryError(`expected a label name at ${label.at}`)
        const op = take()
        if (!['=', '!=', '=~', '!~'].includes(op.text)) throw new QueryError(`expected = != =~ or !~ at ${op.at}`)
        const value = take()
        if (value.kind !== 'string') throw new QueryError(`expected a quoted label value at ${value.at}`)
        matchers.push({
          label: label.text,
          op: op.text as Matcher['op'],
          value: JSON.parse(`"${value.text.slice(1, -1)}"`),
        })
        if (peek()?.text !== '}') take(',')
      }
    }
    if (accept('[')) {
      const duration = take()
      take(']')
      return { type: 'selector', name, matchers, rangeMs: parseDuration(duration.text) }
    }
    return { type: 'selector', name, matchers }
  }

  const primary = (): Expr => {
    const token = take()
    if (token.text === '(') {
      const inner = expression()
      take(')')
      return inner
    }
    if (token.text === '-') return { type: 'binary', op: '-', left: { type: 'number', value: 0 }, right: primary() }
    if (token.kind === 'number') return { type: 'number', value: Number(token.text) }
    if (token.kind !== 'name') throw new QueryError(`unexpected "${token.text}" at ${token.at}`)
    if ((AGGREGATIONS as readonly string[]).includes(token.text)) {
      const before = grouping()
      take('(')
      const expr = expression()
      take(')')
      const after = before ?? grouping()
      return {
        type: 'aggregate',
        op: token.text as (typeof AGGREGATIONS)[number],
        expr,
        ...(after ? { grouping: after } : {}),
      }
    }
    if ((FUNCTIONS as readonly string[]).includes(token.text)) {
      take('(')
      const args: Expr[] = []
      while (!accept(')')) {
        args.push(expression())
        if (peek()?.text !== ')') take(',')
      }
      return checkCall({ type: 'call', fn: token.text as (typeof FUNCTIONS)[number], args }, token.at)
    }
    if (peek()?.text === '(')
      throw new QueryError(`"${token.text}" at ${token.at} is not a function this evaluator has`)
    return selector(token.text)
  }

  const binary = (next: () => Expr, ops: string[]) => (): Expr => {
    let left = next()
    while (peek() && ops.includes(peek()?.text ?? '')) {
      const op = take().text as BinaryOp
      left = { type: 'binary', op, left, right: next() }
    }
    return left
  }
  const product = binary(primary, ['*', '/'])
  const sum = binary(product, ['+', '-'])
  const comparison = binary(sum, [...COMPARISONS])
  const expression = binary(comparison, ['or'])

  const tree = expression()
  if (position < tokens.length) throw new QueryError(`unexpected "${peek()?.text}" at ${peek()?.at}`)
  return tree
}

function checkCall(call: Extract<Expr, { type: 'call' }>, at: number): Expr {
  const [first, second] = call.args
  const ranged = first?.type === 'selector' && first.rangeMs !== undefined
  if ((call.fn === 'rate' || call.fn === 'increase') && (call.args.length !== 1 || !ranged)) {
    throw new QueryError(`${call.fn}() at ${at} takes one range selector, e.g. ${call.fn}(x_total[1m])`)
  }
  if (call.fn === 'histogram_quantile' && (call.args.length !== 2 || first?.type !== 'number' || !second)) {
    throw new QueryError(`histogram_quantile() at ${at} takes a quantile and a vector of buckets`)
  }
  if (call.fn === 'vector' && (call.args.length !== 1 || first?.type !== 'number')) {
    throw new QueryError(`vector() at ${at} takes one number`)
  }
  return call
}
