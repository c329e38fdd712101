/**
 * A malformed body is not echoed back: in development Yoga answers with the cause's message, and JSON.parse's quotes
 * the body whole (60 KB sent, 60 KB answered); the hub keeps an excerpt of ECHO_MAX characters.
 */
import { expect, it } from 'vitest';
import { ECHO_MAX } from '../../gateway/errors.ts';
import { hubOnStore, testAdmin } from '../support/hub.ts';

const hubOf = hubOnStore('pglite', { viewers: { admin: testAdmin() } });

it.each([
  ['a malformed value', `{"query": "{ __typename }", "variables": ${'x'.repeat(60_000)}}`],
  ['an unterminated string', `{"query": "${'y'.repeat(60_000)}`],
])('answers %s of 60 KB with 400 BAD_REQUEST and an excerpt of the cause only', async (_name, body) => {
  const response = await fetch(`${hubOf().url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer admin' },
    body,
  });
  const text = await response.text();
  expect(response.status).toBe(400);
  expect(text.length).toBeLessThan(1_000);
  const [error] = (
    JSON.parse(text) as { errors: { extensions: { code: string; originalError: { message: string } } }[] }
  ).errors;
  expect(error!.extensions.code).toBe('BAD_REQUEST');
  expect(error!.extensions.originalError.message).toHaveLength(ECHO_MAX + '… (cut)'.length);
});
