export interface UserRecord {
  id: number
  username: string
  email: string | null
  passwordHash: string
  createdAt: Date
}

/** What anyone may see of a user: never the hash, nor the email. */
export interface PublicProfile {
  id: number
  username: string
  /** The original sample's field; no account is ever deactivated here. */
  is_active: true
  created_at: string
}

/** What the user sees of themselves after signing up. */
export interface AccountView extends PublicProfile {
  email: string | null
}

export const toPublicProfile = (user: UserRecord): PublicProfile => ({
  id: user.id,
  username: user.username,
  is_active: true,
  created_at: user.createdAt.toISOString(),
})

export const toAccountView = (user: UserRecord): AccountView => ({ ...toPublicProfile(user), email: user.email })

/** Emails compare case-insensitively in practice; store one spelling so uniqueness holds. */
export const normaliseEmail = (email: string | undefined): string | null => email?.trim().toLowerCase() || null
