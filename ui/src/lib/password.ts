// The password rule of the store (crates/store auth.rs MIN_PASSWORD_CHARS),
// counted as the store counts: characters (code points), not UTF-16 units.

export const MIN_PASSWORD = 8;

/** The password's length in characters. */
export function passwordChars(password: string): number {
  return [...password].length;
}

/** Whether the store would refuse this password as too short. */
export function passwordTooShort(password: string): boolean {
  return passwordChars(password) < MIN_PASSWORD;
}
