/**
 * The one-stop-shop's feeds for the sync engine: the procedure catalogue,
 * read whole on every run (it is small and has no change feed), then the
 * dossier change feed, which runs after it because dossiers refer to
 * procedures. Records are validated by ./contract.ts and mapped by ./map.ts.
 */
import { z } from 'zod';
import type { Dossier, Procedure } from '../../store/model.ts';
import type { Batch, Connector, Feed, Lookups } from '../feed.ts';
import type { UpstreamClient } from '../http/client.ts';
import { accepted, rejected } from '../common/mapped.ts';
import { compareMarks, markSchema, maxMark, type Mark } from '../common/mark.ts';
import { BatchBuilder, checkEnvelope, describeRequest, pageSize, parseCursor } from '../common/paging.ts';
import { checkRecord } from '../common/flaws.ts';
import { vietnamDay } from '../common/wire.ts';
import { readJsonRecord, retryJsonRecord, type JsonRecordSpec } from '../common/reject.ts';
import {
  dossierContract,
  dossierPage,
  DOSSIERS_MAX_LIMIT,
  DOSSIERS_PATH,
  procedureContract,
  procedurePage,
  PROCEDURES_MAX_PAGE_SIZE,
  PROCEDURES_PATH,
  type DossierRecord,
  type ProcedureRecord,
} from './contract.ts';
import { toDossier, toProcedure } from './map.ts';

export const PROCEDURES_FEED = 'one-stop-shop/procedures';
export const DOSSIERS_FEED = 'one-stop-shop/dossiers';

export interface OneStopShopOptions {
  /** Procedures per page; default and maximum 500. */
  proceduresPageSize?: number;
  /** Dossiers per page; default and maximum 1000. */
  dossiersLimit?: number;
}

export interface OneStopShopConnector extends Connector {
  readonly feeds: readonly [Feed<Procedure>, Feed<Dossier>];
}

const procedureSpec: JsonRecordSpec<ProcedureRecord, Procedure> = {
  check: (item) => checkRecord(procedureContract, item),
  place: () => ({ unitCode: null, day: null }),
  keyField: 'MaTTHC',
  map: (record) => accepted(toProcedure(record)),
};

function dossierSpec(lookups: Lookups): JsonRecordSpec<DossierRecord, Dossier> {
  return {
    check: (item) => checkRecord(dossierContract, item),
    // A dossier counts from the day it was received.
    place: (dossier) => ({ unitCode: dossier.unitCode, day: vietnamDay(dossier.receivedAt) }),
    keyField: 'MaHoSo',
    version: (record) => ({ t: record.NgayCapNhat, k: record.MaHoSo }),
    map(record) {
      const unknown = [
        ...(lookups.hasUnit(record.MaDonVi) ? [] : [`unknown unit ${record.MaDonVi}`]),
        ...(lookups.hasProcedure(record.MaTTHC) ? [] : [`unknown procedure ${record.MaTTHC}`]),
      ];
      return unknown.length > 0 ? rejected(unknown.join('; ')) : accepted(toDossier(record));
    },
  };
}

/**
 * Cursor: `{"page": n}`, the next page to read, between pages of a run (so a
 * run that stopped resumes there); null after the last page, as the whole
 * catalogue is read again on every run.
 */
const procedureCursor = z.object({ page: z.number().int().positive() });

function proceduresFeed(client: UpstreamClient, options: OneStopShopOptions): Feed<Procedure> {
  const size = pageSize(PROCEDURES_FEED, options.proceduresPageSize, PROCEDURES_MAX_PAGE_SIZE);
  return {
    name: PROCEDURES_FEED,
    source: 'ONE_STOP_SHOP',
    async *pull(cursor, _lookups, signal): AsyncGenerator<Batch<Procedure>> {
      let page = parseCursor(PROCEDURES_FEED, procedureCursor, cursor)?.page ?? 1;
      // The duplicates fault (and a catalogue changing while it is read) serves records again on later pages.
      const seen = new Set<string>();
      for (;;) {
        signal?.throwIfAborted();
        const query = { page, pageSize: size };
        const request = describeRequest(client, PROCEDURES_PATH, query);
        const body = checkEnvelope(
          PROCEDURES_FEED,
          procedurePage,
          await client.getJson(PROCEDURES_PATH, query, signal),
          request,
        );
        if (body.page !== page) throw new Error(`${PROCEDURES_FEED}: ${request} answered page ${body.page}`);
        const batch = new BatchBuilder<Procedure>();
        for (const item of body.data) {
          const reading = readJsonRecord(procedureSpec, item);
          if (!seen.has(reading.key)) batch.add(reading);
        }
        for (const reading of batch.readings()) seen.add(reading.key);
        const last = body.data.length === 0 || page * size >= body.total;
        yield batch.batch(last ? null : JSON.stringify({ page: page + 1 }));
        if (last) return;
        page++;
      }
    },
    retry: (reject) => retryJsonRecord(procedureSpec, reject),
  };
}

/**
 * Cursor: `{"t": "yyyyMMddHHmmss", "k": "MaHoSo"}`, the watermark: the newest
 * dossier (NgayCapNhat, MaHoSo) accepted so far; null before any. A run asks
 * for updatedFrom=t (inclusive) and skips records at or before the
 * watermark; within a run it follows the upstream's own nextCursor, which is
 * not stored because it means nothing to a new process. Every batch carries
 * the watermark after it, so the last batch carries the final one. Rejected
 * records do not move it: a record that breaks the contract may carry any
 * key, and a watermark past a record not yet served would skip it after a
 * crash.
 */
function dossiersFeed(client: UpstreamClient, options: OneStopShopOptions): Feed<Dossier> {
  const limit = pageSize(DOSSIERS_FEED, options.dossiersLimit, DOSSIERS_MAX_LIMIT);
  return {
    name: DOSSIERS_FEED,
    source: 'ONE_STOP_SHOP',
    async *pull(cursor, lookups, signal): AsyncGenerator<Batch<Dossier>> {
      const start: Mark | null = parseCursor(DOSSIERS_FEED, markSchema, cursor);
      let watermark = start;
      const spec = dossierSpec(lookups);
      // The feed is ordered by (NgayCapNhat, MaHoSo), so anything at or before the watermark has been
      // handled: a page served again is skipped, a later change of the same dossier is not. Rejected
      // records do not move the watermark; they are remembered apart (few) so a repeat is not held twice.
      const rejectedVersions = new Map<string, Mark | null>();
      let upstreamCursor: string | undefined;
      for (;;) {
        signal?.throwIfAborted();
        const query = { updatedFrom: start?.t, cursor: upstreamCursor, limit };
        const request = describeRequest(client, DOSSIERS_PATH, query);
        const body = checkEnvelope(
          DOSSIERS_FEED,
          dossierPage,
          await client.getJson(DOSSIERS_PATH, query, signal),
          request,
        );
        const batch = new BatchBuilder<Dossier>();
        for (const item of body.data) {
          const reading = readJsonRecord(spec, item);
          const version = reading.version;
          if (version && watermark && compareMarks(version, watermark) <= 0) continue;
          if (!reading.ok && rejectedVersions.has(reading.key)) {
            const before = rejectedVersions.get(reading.key);
            if (!version || !before || compareMarks(version, before) <= 0) continue;
          }
          batch.add(reading);
        }
        for (const reading of batch.readings()) {
          if (reading.ok) watermark = maxMark(watermark, reading.version);
          else if (!batch.hasRecord(reading.key)) rejectedVersions.set(reading.key, reading.version);
        }
        yield batch.batch(watermark && JSON.stringify({ t: watermark.t, k: watermark.k }));
        if (body.nextCursor === null) return;
        if (body.nextCursor === upstreamCursor) {
          throw new Error(`${DOSSIERS_FEED}: ${request} answered its own cursor as the next one`);
        }
        upstreamCursor = body.nextCursor;
      }
    },
    retry: (reject, lookups) => retryJsonRecord(dossierSpec(lookups), reject),
  };
}

export function createOneStopShopConnector(
  client: UpstreamClient,
  options: OneStopShopOptions = {},
): OneStopShopConnector {
  return {
    source: 'ONE_STOP_SHOP',
    feeds: [proceduresFeed(client, options), dossiersFeed(client, options)],
  };
}
