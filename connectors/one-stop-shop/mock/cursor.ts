/**
 * The dossier feed's cursor, as the one-stop-shop writes it: base64 of JSON
 * `{"t":"<NgayCapNhat>","k":"<MaHoSo>"}`, the last record served. Clients
 * treat it as opaque; the mock decodes it to resume after that record.
 */
import { z } from 'zod';
import { code, compactLocalTime } from '../../common/wire.ts';
import type { DossierFeedKey } from '../../mock/world.ts';

const cursorBody = z.object({ t: compactLocalTime, k: code });

export function encodeCursor(key: DossierFeedKey): string {
  return Buffer.from(JSON.stringify({ t: key.updatedAt, k: key.code })).toString('base64');
}

/** The position a cursor names; null when it is not one this server wrote. */
export function decodeCursor(cursor: string): DossierFeedKey | null {
  try {
    const body = cursorBody.safeParse(JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')));
    return body.success ? { updatedAt: body.data.t, code: body.data.k } : null;
  } catch {
    return null;
  }
}
