import { loginView, registerView } from './account.ts'
import { session } from './api.ts'
import { chaosConsoleView } from './chaos-console.ts'
import { h, show } from './dom.ts'
import { ordersView } from './orders.ts'
import { shopView } from './shop.ts'

const view = document.getElementById('view') as HTMLElement
const status = document.getElementById('status') as HTMLElement
const account = document.getElementById('account') as HTMLElement

let saidAt = 0

/** Announces a result in the status line (a live region, read out by screen readers). */
const say = (message: string, kind: 'error' | 'ok' = 'ok') => {
  status.textContent = message
  status.className = `status ${kind}`
  saidAt = Date.now()
}

const renderAccount = () => {
  const user = session.user()
  show(
    account,
    user
      ? h(
          'span',
          {},
          `Signed in as ${user.username} `,
          h(
            'button',
            {
              type: 'button',
              onclick: () => {
                session.signOut()
                renderAccount()
                location.hash = '#/'
              },
            },
            'Log out',
          ),
        )
      : h('span', {}, h('a', { href: '#/login' }, 'Log in'), ' · ', h('a', { href: '#/register' }, 'Register')),
  )
}

let leave: (() => void) | undefined

async function route() {
  leave?.()
  leave = undefined
  // `#/traces?service=order`, `#/traces/<trace id>`: a page, what follows it, and its query.
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?')
  const [page = 'shop', ...rest] = (path || 'shop').split('/')
  for (const link of document.querySelectorAll('nav a')) {
    link.toggleAttribute('aria-current', link.getAttribute('href') === `#/${page === 'shop' ? '' : page}`)
  }
  if (page === 'login') loginView(view, say, renderAccount)
  else if (page === 'register') registerView(view, say)
  else if (page === 'orders') await ordersView(view, say)
  else if (page === 'chaos') leave = chaosConsoleView(view, say)
  // The observability pages are chunks of their own, loaded when first opened (build.ts).
  else if (page === 'traces' && rest[0])
    leave = (await import('./trace-view.ts')).traceView(view, rest[0].toLowerCase())
  else if (page === 'traces') await (await import('./traces.ts')).tracesView(view, new URLSearchParams(query))
  else if (page === 'map') leave = (await import('./service-map.ts')).serviceMapView(view)
  else if (page === 'charts') leave = (await import('./charts.ts')).chartsView(view)
  else await shopView(view, say)
  view.focus({ preventScroll: true })
}

window.addEventListener('hashchange', () => {
  // A message said just before the page changed (e.g. "Registered") is about the new page too.
  if (Date.now() - saidAt > 1000) {
    status.textContent = ''
    status.className = 'status'
  }
  void route()
})
renderAccount()
void route()
