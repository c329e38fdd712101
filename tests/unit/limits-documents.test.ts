/**
 * The default limits let every legitimate document through: the GraphQL
 * examples of the documentation (README.md and docs/*.md), the dashboard's
 * documents and GraphiQL's introspection query pass the shape limits
 * (GraphQL Armor, as the hub runs it) and cost less than the cost limit.
 * Subscriptions included, which tests/integration/limits.test.ts does not
 * send over HTTP.
 */
import { getIntrospectionQuery, Kind, type DocumentNode, type GraphQLError, type TypeNode } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_DOCUMENTS } from '../../gateway/dashboard/documents.js';
import { operationCosts } from '../../gateway/policy/limits/cost.ts';
import { useDocumentLimits } from '../../gateway/policy/limits/document-limits.ts';
import { DEFAULT_LIMITS } from '../../gateway/policy/limits/settings.ts';
import { hubSchema } from '../../schema/index.ts';
import { docExamples } from '../support/doc-examples.ts';

const documents: [string, string][] = [
  ...docExamples().map(({ file, index, text }) => [`${file} example ${index}`, text] as [string, string]),
  ...DASHBOARD_DOCUMENTS.map((text: string, i: number) => [`dashboard document ${i + 1}`, text] as [string, string]),
  ['GraphiQL introspection', getIntrospectionQuery()],
  [
    'introspection with every option',
    getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    }),
  ],
];

/** A value of each variable's type, pages at their largest: the costliest a client can ask of the document. */
function largestVariables(document: DocumentNode): Record<string, unknown> {
  const value = (type: TypeNode): unknown => {
    if (type.kind === Kind.NON_NULL_TYPE) return value(type.type);
    if (type.kind === Kind.LIST_TYPE) return [];
    const scalars: Record<string, unknown> = { Int: 100, Boolean: true, String: '2024', ID: '1', Date: '2024-01-01' };
    return scalars[type.name.value] ?? null;
  };
  const variables: Record<string, unknown> = {};
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      variables[variable.variable.name.value] = value(variable.type);
    }
  }
  return variables;
}

describe('the default limits', () => {
  const schema = hubSchema();
  const yoga = createYoga({ schema, plugins: [useDocumentLimits(DEFAULT_LIMITS)] });

  it('has documents to check', () => {
    expect(documents.length).toBeGreaterThanOrEqual(15);
  });

  it.each(documents)('let through: %s', (_, text) => {
    const { parse, validate } = yoga.getEnveloped({});
    const document = parse(text);
    expect(validate(schema, document).map((error: GraphQLError) => error.message)).toEqual([]);
    const costs = operationCosts({ schema, document, variableValues: largestVariables(document) });
    expect(costs.length).toBeGreaterThan(0);
    for (const cost of costs) expect(cost).toBeLessThanOrEqual(DEFAULT_LIMITS.maxCost);
  });
});
