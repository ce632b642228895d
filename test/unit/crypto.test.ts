import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../src/db/crypto';

describe('SecretBox', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it('round-trips a value', () => {
    const box = new SecretBox(new Map([['a', oldKey]]), 'a');
    const sealed = box.seal('whsec_abc');
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open(sealed)).toBe('whsec_abc');
  });

  it('opens values sealed with a rotated-out key', () => {
    const sealed = new SecretBox(new Map([['a', oldKey]]), 'a').seal('token-1');
    const rotated = new SecretBox(
      new Map([
        ['a', oldKey],
        ['b', newKey],
      ]),
      'b',
    );
    expect(rotated.open(sealed)).toBe('token-1');
    expect(rotated.seal('token-2').split(':')[1]).toBe('b');
  });

  it('rejects a tampered ciphertext', () => {
    const box = new SecretBox(new Map([['a', oldKey]]), 'a');
    const parts = box.seal('secret').split(':');
    parts[4] = Buffer.from('other').toString('base64');
    expect(() => box.open(parts.join(':'))).toThrow();
  });

  it('names a missing key id', () => {
    const sealed = new SecretBox(new Map([['a', oldKey]]), 'a').seal('x');
    const other = new SecretBox(new Map([['b', newKey]]), 'b');
    expect(() => other.open(sealed)).toThrow(
      'Sealed value uses key "a", which is not in TOKEN_ENCRYPTION_KEYS',
    );
  });
});
