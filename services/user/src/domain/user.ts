import { type Static, Type } from '@sinclair/typebox'

export interface UserRecord {
  id: number
  username: string
  email: string | null
  passwordHash: string
  createdAt: Date
}

/** What anyone may see of a user: never the hash, nor the email. */
export const PublicProfile = Type.Object({
  id: Type.Integer({ examples: [1] }),
  username: Type.String({ examples: ['alice'] }),
  is_active: Type.Boolean({
    description: 'Always true (the original sample has this field; no account is deactivated)',
  }),
  created_at: Type.String({ format: 'date-time' }),
})
export type PublicProfile = Static<typeof PublicProfile>

/** What the user sees of themselves after signing up. */
export const AccountView = Type.Object({
  ...PublicProfile.properties,
  email: Type.Union([Type.String({ format: 'email' }), Type.Null()], { examples: ['alice@example.com'] }),
})
export type AccountView = Static<typeof AccountView>

export const toPublicProfile = (user: UserRecord): PublicProfile => ({
  id: user.id,
  username: user.username,
  is_active: true,
  created_at: user.createdAt.toISOString(),
})

export const toAccountView = (user: UserRecord): AccountView => ({ ...toPublicProfile(user), email: user.email })

/** Emails compare case-insensitively in practice; store one spelling so uniqueness holds. */
export const normaliseEmail = (email: string | undefined): string | null => email?.trim().toLowerCase() || null
