import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (webhook signing secrets, CRM tokens). Each value records the id of the
 * key that sealed it, so keys can be rotated: new values use the current key, old ones still open.
 * Format: `v1:<keyId>:<iv base64>:<tag base64>:<ciphertext base64>`.
 */
export class SecretBox {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly currentKeyId: string,
  ) {
    if (!keys.has(currentKeyId)) throw new Error(`Encryption key "${currentKeyId}" is not configured`);
  }

  seal(plaintext: string): string {
    const key = this.keys.get(this.currentKeyId)!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      'v1',
      this.currentKeyId,
      iv.toString('base64'),
      tag.toString('base64'),
      ciphertext.toString('base64'),
    ].join(':');
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, ciphertext] = sealed.split(':');
    if (version !== 'v1' || !keyId || !iv || !tag || ciphertext === undefined) {
      throw new Error('Sealed value has an unknown format');
    }
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`Sealed value uses key "${keyId}", which is not in TOKEN_ENCRYPTION_KEYS`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  }
}
