/**
 * The "documents" part of the hub's Yoga plugins, in order: CSRF prevention
 * (when on), trusted documents (ids everywhere; production: registered
 * documents only), introspection off in production. gateway/server.ts puts
 * them after the operations plugins and before the limits.
 */
import type { Plugin } from 'graphql-yoga';
import { CSRF_HEADERS, useCsrfPrevention } from '../csrf.ts';
import { useIntrospectionDisabled } from './introspection.ts';
import type { DocumentPolicy } from './policy.ts';
import { useTrustedDocuments } from './trusted-documents-plugin.ts';

export interface DocumentPluginsOptions {
  policy: DocumentPolicy;
  /** CSRF prevention: off, on with CSRF_HEADERS, or on with these headers. */
  csrf: boolean | { requestHeaders: readonly string[] };
}

export function documentPlugins<Context extends Record<string, any>>({
  policy,
  csrf,
}: DocumentPluginsOptions): Plugin<Context>[] {
  return [
    ...(csrf ? [useCsrfPrevention<Context>(csrf === true ? CSRF_HEADERS : csrf.requestHeaders)] : []),
    ...useTrustedDocuments<Context>(policy),
    ...(policy.mode === 'production' ? [useIntrospectionDisabled<Context>()] : []),
  ];
}
