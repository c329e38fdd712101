/**
 * A NUL character (U+0000) in any string the client sends is BAD_USER_INPUT naming where it is, before anything
 * reaches the store; before, PostgreSQL refused the statement ("invalid byte sequence for encoding UTF8: 0x00") and
 * the client got INTERNAL_SERVER_ERROR, which for a unit-bound consumer replaced FORBIDDEN. On both stores.
 */
import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../schema/pagination.ts';
import { hubOnStore, testAdmin, testViewer } from '../support/hub.ts';
import { testBackends } from '../support/store.ts';

const NUL = '\u0000';

/** A Relay global id (base64 of "Type:key") of the given text, followed by raw bytes when given. */
const globalId = (text: string, bytes: number[] = []) =>
  Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from(bytes)]).toString('base64');

describe.each(testBackends)('a NUL in client input on %s', (backend) => {
  const hubOf = hubOnStore(backend, {
    viewers: {
      admin: testAdmin(),
      bound: testViewer('bound', ['read:aggregates', 'read:dossiers', 'read:staff'], '000.00.12.H40'),
    },
  });

  const cases: [string, string, Record<string, unknown>][] = [
    ['procedures search', 'query($s: String) { procedures(filter: { search: $s }) { totalCount } }', { s: `x${NUL}` }],
    ['procedures fieldCode', 'query($f: String) { procedures(filter: { fieldCode: $f }) { totalCount } }', { f: NUL }],
    ['unit code', 'query($c: String!) { unit(code: $c) { name } }', { c: `000${NUL}` }],
    ['dossiers unitCode', 'query($u: String) { dossiers(filter: { unitCode: $u }) { totalCount } }', { u: NUL }],
    ['dossier code', 'query($c: String!) { dossier(code: $c) { code } }', { c: `H40${NUL}` }],
    ['staffMember id', 'query($i: String!) { staffMember(id: $i) { staffId } }', { i: `1${NUL}` }],
    [
      'indicators unitCode',
      'query($u: String!) { indicators(unitCode: $u, period: "2024") { value } }',
      { u: `000.00.00.H40${NUL}` },
    ],
    ['a cursor', 'query($a: String) { units(first: 2, after: $a) { totalCount } }', { a: encodeCursor(`a${NUL}`) }],
    ['a global id', 'query($i: ID!) { node(id: $i) { id } }', { i: globalId(`Staff:1${NUL}`) }],
    ['a global id in nodes', 'query($i: [ID!]!) { nodes(ids: $i) { id } }', { i: [globalId(`Unit:000${NUL}`)] }],
    // Bytes that are no UTF-8 at all (0xff, a lone continuation byte), which decoding would turn into U+FFFD.
    ['a global id not in UTF-8', 'query($i: ID!) { node(id: $i) { id } }', { i: globalId('Staff:1', [0xff, 0x80]) }],
  ];

  for (const token of ['admin', 'bound']) {
    it.each(cases)(`is BAD_USER_INPUT for ${token}: %s (a variable)`, async (_name, query, variables) => {
      const answer = await hubOf().gql(query, variables, token);
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    });
  }

  it('is BAD_USER_INPUT in a string literal of the document, naming the argument', async () => {
    const answer = await hubOf().gql('{ dossier(code: "H40\\u0000") { code } }', {}, 'admin');
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', input: 'argument code' });
    expect(answer.errors![0]!.message).toContain('U+0000');
  });

  it('serves the same queries without the NUL', async () => {
    const answer = await hubOf().gql('query($c: String!) { dossier(code: $c) { code } }', { c: 'H40' }, 'admin');
    expect(answer).toEqual({ data: { dossier: null } });
  });
});
