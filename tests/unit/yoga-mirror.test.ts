/**
 * The SSE transport copies behaviour graphql-yoga does not export (gateway/transports/sse/yoga-mirror.ts). These
 * tests fail when an upgrade of graphql-yoga changes what was copied, so that the copy is re-checked, not left
 * to drift: the installed version must be the one recorded, and each mirrored function must hash as recorded.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MIRRORED_YOGA } from '../../gateway/transports/sse/yoga-mirror.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const YOGA = `${ROOT}node_modules/graphql-yoga/`;
const MIRROR = `${ROOT}gateway/transports/sse/yoga-mirror.ts`;

const RECHECK =
  'graphql-yoga changed what gateway/transports/sse/yoga-mirror.ts copies: compare the copy with the new source ' +
  '(status and headers, media types, serialisation, parameters), fix it if it differs, then record the new ' +
  'version and hashes in MIRRORED_YOGA and its header';

/** A top-level function or constant of a compiled module: its declaration down to its closing brace at column 0. */
function sourceOf(text: string, name: string): string | null {
  const start = text.search(new RegExp(`^(?:export )?(?:function ${name}\\(|const ${name} = )`, 'm'));
  if (start < 0) return null;
  const firstLine = text.slice(start, text.indexOf('\n', start));
  if (firstLine.endsWith(';')) return firstLine;
  const end = /\n\};?(?=\n|$)/.exec(text.slice(start));
  return end ? text.slice(start, start + end.index + end[0].length) : null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the Yoga behaviour the SSE transport mirrors', () => {
  it('is of the installed graphql-yoga version', () => {
    const installed = (JSON.parse(readFileSync(`${YOGA}package.json`, 'utf8')) as { version: string }).version;
    expect(installed, `${RECHECK} (installed ${installed}, mirrored ${MIRRORED_YOGA.version})`).toBe(
      MIRRORED_YOGA.version,
    );
  });

  const sources = Object.entries(MIRRORED_YOGA.sources).flatMap(([file, names]) =>
    Object.entries(names).map(([name, hash]) => ({ file, name, hash })),
  );

  it.each(sources)('$file $name is unchanged', ({ file, name, hash }) => {
    const source = sourceOf(readFileSync(`${YOGA}${file}`, 'utf8'), name);
    expect(source, `${RECHECK}: ${name} is gone from ${file}`).not.toBeNull();
    expect(sha256(source!), `${RECHECK}: ${file} ${name} differs`).toBe(hash);
  });

  it('names the version and every mirrored function in the mirror’s header', () => {
    const header = readFileSync(MIRROR, 'utf8').split('*/')[0]!;
    expect(header).toContain(`graphql-yoga ${MIRRORED_YOGA.version}`);
    for (const { name } of sources) expect(header, `${name} missing from the header`).toContain(name);
  });
});
