/**
 * Which GraphQL documents the response cache may answer: aggregate queries only, decided from the document before
 * anything runs, by an allow-list of root fields and types rather than the plugin's `ignoredTypes` (which looks at
 * the types in a result). A hit is served before the context is built and any resolver runs, so it skips their scope
 * checks and the audit log: personal data (the fields needing read:pii) must never be cached, and `ignoredTypes`
 * misses it whenever the type is absent from the result (`dossier(code)` answered null, `staff` with no edges). A
 * type or root field added to the schema later is not cached until put on a list here: the test
 * tests/integration/response-cache.test.ts fails until every type reachable from the cached roots is classified.
 * Results with errors, mutations and subscriptions are never cached; nor, as a last guard, a request whose resolvers
 * did record personal data or an admin operation (cache.ts).
 */
import {
  BREAK,
  getNamedType,
  getOperationAST,
  isCompositeType,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type GraphQLSchema,
} from 'graphql';

/**
 * Root Query fields whose answers are aggregates or reference data, the same
 * for every consumer with the same scopes and unit subtree until a sync or a
 * target changes them (or the clock moves on: the TTL).
 */
export const CACHED_ROOT_FIELDS: ReadonlySet<string> = new Set([
  'units',
  'unit',
  'procedures',
  'procedure',
  'indicators',
  'indicatorCatalog',
  'indicatorBreakdown',
  'ranking',
  'trend',
  'dataQuality',
  'dataQualityRules',
  'finance',
  'enumLabels',
  'unitEvents',
]);

/** Root Query fields never cached, and why. */
export const UNCACHED_ROOT_FIELDS: Readonly<Record<string, string>> = {
  dossier: 'per-record data, with personal data (read:pii, audited)',
  dossiers: 'per-record data, with personal data (read:pii, audited)',
  staff: 'per-record data, with personal data (read:pii, audited; a name search is audited too)',
  staffMember: 'per-record data, with personal data (read:pii, audited)',
  node: 'any type by id, dossiers and staff included',
  nodes: 'any type by id, dossiers and staff included',
  sources: 'admin status: lag, running passes and this instance’s circuit breakers change with the clock',
  quarantine: 'admin data; raw payloads hold personal data (audited)',
  auditLog: 'admin data; reading it is audited',
  auditChainStatus: 'admin operation; asking is audited',
  currentPeriod: 'changes with the clock at midnight in Vietnam, not with a sync; computing it costs nothing',
};

/** Object types a cached answer may contain: the aggregates and the reference data they hang on. */
export const CACHED_TYPES: ReadonlySet<string> = new Set([
  'Query',
  'PageInfo',
  // Units and their counts.
  'UnitConnection',
  'UnitEdge',
  'Unit',
  'UnitDossierCount',
  'UnitStaffCount',
  'PsuAutonomy',
  // Units' history: versions, events and lineage (reference data; every sync batch flushes the cache).
  'UnitVersion',
  'UnitEvent',
  'UnitEventConnection',
  'UnitEventEdge',
  'UnitLineageLink',
  // The procedure catalogue.
  'ProcedureConnection',
  'ProcedureEdge',
  'Procedure',
  // Indicators, breakdowns, rankings, trends, targets.
  'Indicator',
  'IndicatorValue',
  'IndicatorPart',
  'IndicatorPartDefinition',
  'IndicatorScore',
  'IndicatorLevelCriterion',
  'IndicatorTerm',
  'IndicatorBreakdown',
  'BreakdownPart',
  'RankedUnit',
  'SourceFreshness',
  // Data quality.
  'DataQualityRule',
  'DataQualityViolation',
  // The flaws of units, procedures and finance records (a dossier's hang on an uncached Dossier).
  'RecordFlaw',
  // Finance aggregates.
  'Finance',
  'BudgetExecution',
  'BudgetExecutionLine',
  'BudgetTotal',
  'PublicInvestment',
  'InvestmentProjectProgress',
  // Labels.
  'LocalizedText',
  'EnumValueLabel',
]);

/** Object types reachable from the cached roots that make an answer uncacheable, and why. */
export const UNCACHED_TYPES: Readonly<Record<string, string>> = {
  DossierConnection: 'dossiers (Procedure.dossiers): per-record data with personal data',
  DossierEdge: 'dossiers (Procedure.dossiers): per-record data with personal data',
  Dossier: 'per-record data with personal data (read:pii, audited)',
};

/**
 * The decision is taken before the hub's own limits look at the document
 * (gateway/policy/limits refuses floods at parse time, after this): a document
 * larger than an aggregate query ever is, is not cached, and never parsed
 * here nor remembered.
 */
export const MAX_CACHEABLE_DOCUMENT_LENGTH = 8_192;
const MAX_CACHEABLE_TOKENS = 2_000;

/** Whether the operation is a query over cached roots and types only (see the file's comment). */
export function isCacheableOperation(
  schema: GraphQLSchema,
  query: string,
  operationName: string | null | undefined,
): boolean {
  if (query.length > MAX_CACHEABLE_DOCUMENT_LENGTH) return false;
  let document;
  try {
    document = parse(query, { noLocation: true, maxTokens: MAX_CACHEABLE_TOKENS });
  } catch {
    return false; // Yoga answers the syntax error; the limits the token flood
  }
  if (getOperationAST(document, operationName)?.operation !== 'query') return false;
  const queryType = schema.getQueryType();
  const typeInfo = new TypeInfo(schema);
  let cacheable = true;
  // The whole document, fragments and other operations included: a fragment not used costs a miss, never a leak.
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Directive(node) {
        // Incremental delivery is answered in parts: not worth caching, and its parts are not what is stored.
        if (node.name.value === 'defer' || node.name.value === 'stream') {
          cacheable = false;
          return BREAK;
        }
        return undefined;
      },
      Field(node) {
        if (node.name.value === '__typename') return undefined;
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const type = field && getNamedType(field.type);
        const allowed =
          parent !== null &&
          type != null &&
          (parent !== queryType || CACHED_ROOT_FIELDS.has(node.name.value)) &&
          // Introspection (__schema, __type) returns __ types: not on the list.
          (!isCompositeType(type) || CACHED_TYPES.has(type.name));
        if (allowed) return undefined;
        cacheable = false;
        return BREAK;
      },
    }),
  );
  return cacheable;
}

/**
 * `isCacheableOperation` remembered for the most recent documents (a bounded map, oldest out first): one parse and
 * walk per distinct document, not per request.
 */
export function memoizedCacheability(schema: GraphQLSchema, max = 1_000) {
  const decided = new Map<string, boolean>();
  return (query: string, operationName: string | null | undefined): boolean => {
    if (query.length > MAX_CACHEABLE_DOCUMENT_LENGTH) return false;
    const key = JSON.stringify([operationName ?? '', query]);
    let cacheable = decided.get(key);
    if (cacheable === undefined) {
      cacheable = isCacheableOperation(schema, query, operationName);
      if (decided.size >= max) decided.delete(decided.keys().next().value!);
      decided.set(key, cacheable);
    }
    return cacheable;
  };
}
