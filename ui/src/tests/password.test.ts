import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIN_PASSWORD, passwordTooShort } from '../lib/password';

describe('password rule', () => {
  it('has the store minimum', () => {
    const auth = readFileSync(join(fileURLToPath(new URL('.', import.meta.url)), '../../../crates/store/src/auth.rs'), 'utf8');
    expect(auth).toContain(`pub const MIN_PASSWORD_CHARS: usize = ${MIN_PASSWORD};`);
  });

  it('counts characters as the store does, not UTF-16 units', () => {
    expect(passwordTooShort('🔑🔑🔑🔑')).toBe(true); // 8 UTF-16 units, 4 characters
    expect(passwordTooShort('비밀번호는여덟자')).toBe(false);
    expect(passwordTooShort('1234567')).toBe(true);
    expect(passwordTooShort('12345678')).toBe(false);
  });
});
