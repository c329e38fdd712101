import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, entryHash, GENESIS_HASH, type AuditEntry } from '../../store/audit.ts';
import { parseApiKey } from '../../store/consumers.ts';

const entry: Omit<AuditEntry, 'hash'> = {
  id: '1',
  at: new Date('2025-07-01T02:03:04.005Z'),
  consumer: 'ioc',
  consumerId: '7',
  credential: 'JWT',
  operationName: 'Staff',
  documentHash: 'ab'.repeat(32),
  personalData: { 'Staff.fullName': ['NV2', 'NV1'] },
  adminOperations: [],
  clientAddress: '10.0.0.9',
  requestId: 'r-1',
  keyed: false,
  prevHash: GENESIS_HASH,
};

// The entry's canonical form, written out by hand: keys sorted, no spaces, the instant in ISO 8601.
const CANONICAL =
  '{"adminOperations":[],"at":"2025-07-01T02:03:04.005Z","clientAddress":"10.0.0.9","consumer":"ioc",' +
  '"consumerId":"7","credential":"JWT","documentHash":"' +
  'ab'.repeat(32) +
  '","id":"1","operationName":"Staff","personalData":{"Staff.fullName":["NV2","NV1"]},"requestId":"r-1"}';

describe('the audit chain hash', () => {
  it('hashes the canonical JSON: keys sorted at every level, arrays kept in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null }, e: undefined })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(canonicalJson({ name: 'Nguyễn Văn "A"' })).toBe('{"name":"Nguyễn Văn \\"A\\""}');
  });

  it('is SHA-256 of prev_hash and the entry without a key, HMAC-SHA-256 with one', () => {
    const { prevHash, keyed: _keyed, ...content } = entry;
    expect(canonicalJson(content)).toBe(CANONICAL);
    expect(entryHash(entry, undefined)).toBe(
      createHash('sha256')
        .update(GENESIS_HASH + CANONICAL)
        .digest('hex'),
    );
    const key = 'k'.repeat(32);
    expect(entryHash({ ...entry, keyed: true }, key)).toBe(
      createHmac('sha256', key)
        .update(prevHash + CANONICAL)
        .digest('hex'),
    );
    expect(() => entryHash({ ...entry, keyed: true }, undefined)).toThrow('AUDIT_KEY is needed');
  });

  it('changes with any part of the entry, its id and the previous hash included', () => {
    const base = entryHash(entry, undefined);
    for (const change of [
      { id: '2' },
      { prevHash: '1'.repeat(64) },
      { at: new Date('2025-07-01T02:03:04.006Z') },
      { personalData: { 'Staff.fullName': ['NV1', 'NV2'] } },
      { clientAddress: null },
    ]) {
      expect(entryHash({ ...entry, ...change }, undefined)).not.toBe(base);
    }
    // The stored hash itself is not part of what is hashed.
    expect(entryHash({ ...entry, hash: 'whatever' } as AuditEntry, undefined)).toBe(base);
  });
});

describe('API key format', () => {
  const secret = 'A'.repeat(20) + '-_' + 'z9'.repeat(10) + 'Q';
  it('splits lgsp_<16 hex key id>_<base64url secret of ≥ 43 characters>', () => {
    expect(secret).toHaveLength(43);
    expect(parseApiKey(`lgsp_0123456789abcdef_${secret}`)).toEqual({ keyId: '0123456789abcdef', secret });
  });
  it.each([
    `lgsp_0123456789abcde_${'A'.repeat(43)}`, // key id too short
    `lgsp_0123456789ABCDEF_${'A'.repeat(43)}`, // key ids are lower-case hex
    `lgsp_0123456789abcdef_${'A'.repeat(42)}`, // secret too short
    `lgsp_0123456789abcdef_${'A'.repeat(42)}=`, // not base64url
    `xgsp_0123456789abcdef_${'A'.repeat(43)}`,
    `lgsp_0123456789abcdef_${'A'.repeat(43)} `,
  ])('refuses %s', (text) => {
    expect(parseApiKey(text)).toBeNull();
  });
});
