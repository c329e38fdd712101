/**
 * The "documents" part of the hub's Yoga plugins, in order: CSRF prevention
 * (when on), admission on Yoga's HTTP path (gateway/policy/admission-http.ts:
 * body size, credential, trusted document, rate limit), introspection off in
 * production. gateway/server.ts puts them after the operations plugins and
 * before the limits.
 */
import type { Plugin } from 'graphql-yoga';
import type { Admission } from '../admission.ts';
import { CSRF_HEADERS, useCsrfPrevention } from '../csrf.ts';
import { useIntrospectionDisabled } from './introspection.ts';

export interface DocumentPluginsOptions {
  /** The hub's admission (gateway/policy/admission.ts): its mode and its Yoga plugins. */
  policy: Pick<Admission, 'mode' | 'plugins'>;
  /** CSRF prevention: off, on with CSRF_HEADERS, or on with these headers. */
  csrf: boolean | { requestHeaders: readonly string[] };
}

export function documentPlugins<Context extends Record<string, any>>({
  policy,
  csrf,
}: DocumentPluginsOptions): Plugin<Context>[] {
  return [
    ...(csrf ? [useCsrfPrevention<Context>(csrf === true ? CSRF_HEADERS : csrf.requestHeaders)] : []),
    ...(policy.plugins as Plugin<Context>[]),
    ...(policy.mode === 'production' ? [useIntrospectionDisabled<Context>()] : []),
  ];
}
