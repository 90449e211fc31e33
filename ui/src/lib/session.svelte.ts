// The signed-in user, as the core reported at sign-in.

import type { SessionUser } from './api';

export const session = $state<{ user: SessionUser | null; expired: boolean }>({ user: null, expired: false });

export function roleAtLeast(role: string | undefined, needed: 'reviewer' | 'supervisor' | 'admin'): boolean {
  const order = ['reviewer', 'supervisor', 'admin'];
  return order.indexOf(role ?? '') >= order.indexOf(needed);
}
