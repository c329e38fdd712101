import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  // Fields are non-null unless a field says otherwise: nullability is a decision, not a default.
  DefaultFieldNullability: false;
  Scalars: {
    Date: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    VND: { Input: string; Output: string };
  };
}>({
  plugins: [RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: { description: 'Any object by its global ID (Relay); null when none has it.' },
    nodesQueryOptions: { description: 'Objects by their global IDs, in order; null for each unknown one.' },
  },
});

builder.queryType({
  description: 'The province in one graph: units, procedures, dossiers, staff, finance, and the sync.',
});
