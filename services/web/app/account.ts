import { api, messageOf, session } from './api.ts'
import { type Child, h, show } from './dom.ts'

type Say = (message: string, kind?: 'error' | 'ok') => void

const field = (id: string, label: string, attributes: Record<string, string | boolean>) => [
  h('label', { for: id }, label),
  h('input', { id, name: id, required: true, ...attributes }),
]

const value = (form: HTMLFormElement, name: string) => (form.elements.namedItem(name) as HTMLInputElement).value

/** An account form whose submission runs `submit`, any failure said in the status line. */
function accountForm(say: Say, submit: (form: HTMLFormElement) => Promise<void>, ...fields: Child[]) {
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'account',
      onsubmit: async (event: Event) => {
        event.preventDefault()
        await submit(form).catch((error: unknown) => say(messageOf(error), 'error'))
      },
    },
    ...fields,
  )
  return form
}

/** Log in: the token is checked with `POST /validate`, whose answer names the user. */
export function loginView(view: HTMLElement, say: Say, signedIn: () => void) {
  const form = accountForm(
    say,
    async (form) => {
      const { access_token } = await api('user', '/login', {
        json: { username: value(form, 'username'), password: value(form, 'password') },
      })
      const user = await api('user', '/validate', {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}` },
      })
      session.signIn(access_token, { id: user.user_id, username: user.username })
      signedIn()
      say(`Welcome, ${user.username}.`, 'ok')
      location.hash = '#/'
    },
    ...field('username', 'Username', { autocomplete: 'username' }),
    ...field('password', 'Password', { type: 'password', autocomplete: 'current-password' }),
    h('button', { type: 'submit' }, 'Log in'),
  )
  show(view, h('h1', {}, 'Log in'), form, h('p', {}, 'No account yet? ', h('a', { href: '#/register' }, 'Register')))
}

export function registerView(view: HTMLElement, say: Say) {
  const form = accountForm(
    say,
    async (form) => {
      const email = value(form, 'email')
      await api('user', '/signup', {
        json: { username: value(form, 'username'), password: value(form, 'password'), ...(email ? { email } : {}) },
      })
      say('Registered: you can log in now.', 'ok')
      location.hash = '#/login'
    },
    ...field('username', 'Username (3–32 letters, digits, _ . -)', {
      autocomplete: 'username',
      minlength: '3',
      maxlength: '32',
    }),
    h('label', { for: 'email' }, 'Email (optional)'),
    h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'email' }),
    ...field('password', 'Password (4 characters or more)', {
      type: 'password',
      autocomplete: 'new-password',
      minlength: '4',
    }),
    h('button', { type: 'submit' }, 'Register'),
  )
  show(view, h('h1', {}, 'Register'), form)
}
