import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
// Each type file registers itself on the builder.
import './scalars.ts';
import './unit.ts';
import './procedure.ts';
import './dossier.ts';
import './staff.ts';
import './unit-version.ts';
import './unit-event.ts';
import './unit-lineage-link.ts';
import './staff-assignment.ts';
import './finance.ts';
import './source.ts';
import './quarantine.ts';
import './audit.ts';
import './trusted-documents.ts';
import './indicators/indicator.ts';
import './indicators/query.ts';
import './indicators/breakdown.ts';
import './indicators/ranking.ts';
import './indicators/trend.ts';
import './indicators/target.ts';
import './indicators/data-quality.ts';
import './indicators/period.ts';
import './enum-labels.ts';
import './live/index.ts';

export type { Context, SyncAccess } from './context.ts';

let schema: GraphQLSchema | undefined;

/** The hub's GraphQL schema, built once, with types in a stable order. */
export function hubSchema(): GraphQLSchema {
  schema ??= lexicographicSortSchema(builder.toSchema());
  return schema;
}
