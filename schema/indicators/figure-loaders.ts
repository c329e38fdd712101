/** The indicator figure loaders of a request (indicators/evaluate.ts), one set per request context. */
import { createContextCache } from '@pothos/core';
import { createFigureLoaders } from '../../indicators/evaluate.ts';
import type { Context } from '../context.ts';

export const figureLoadersOf = createContextCache((ctx: Context) => createFigureLoaders(ctx.db));
