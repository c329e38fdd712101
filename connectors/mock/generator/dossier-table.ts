/**
 * Dossiers held by the mock one-stop-shop, column by column in typed arrays:
 * two million dossiers take about 70 MB this way instead of well over a
 * gigabyte as objects. Alongside, an index of every event of every dossier
 * (reception, processing, finish, hand-over, closure) sorted by time, so that
 * "what changed since t" is a binary search and a scan, whatever the size.
 */
import type { DossierFacts } from './dossiers.ts';

/** Instants are stored as seconds since this base (2019-01-01T00:00:00Z), 0 meaning "never". */
const BASE = Date.UTC(2019, 0, 1) / 1000;
const BASE_DAY = BASE / 86_400;
/** An event key is time × 2^23 + dossier index: exact in a float64 for 34 years and 8 million dossiers. */
const INDEX_BITS = 2 ** 23;

class Column<T extends Uint16Array | Uint32Array> {
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  set(i: number, value: number) {
    if (i >= this.data.length) {
      const grown = this.make(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[i] = value;
  }
}
const u16 = () => new Column(new Uint16Array(1024), (n) => new Uint16Array(n));
const u32 = () => new Column(new Uint32Array(1024), (n) => new Uint32Array(n));

const rel = (seconds: number) => (seconds === 0 ? 0 : seconds - BASE);
const abs = (stored: number) => (stored === 0 ? 0 : stored + BASE);

export class DossierTable {
  length = 0;
  private readonly desk = u16();
  private readonly day = u16();
  private readonly seq = u16();
  private readonly procedure = u16();
  /** channel (2 bits), fullProcess, fee, payment (2 bits), digitised, electronicResult, closedStatus (4 bits). */
  private readonly flags = u16();
  private readonly receivedAt = u32();
  private readonly dueAt = u32();
  private readonly processingAt = u32();
  private readonly finishedAt = u32();
  private readonly returnedAt = u32();
  private readonly closedAt = u32();
  private events = new Float64Array(0);

  push(f: DossierFacts): void {
    if (this.length >= INDEX_BITS) throw new Error('the mock holds at most 8,388,608 dossiers');
    const i = this.length++;
    this.desk.set(i, f.desk);
    this.day.set(i, f.day - BASE_DAY);
    this.seq.set(i, f.seq);
    this.procedure.set(i, f.procedure);
    this.flags.set(
      i,
      f.channel |
        (+f.fullProcess << 2) |
        (+f.fee << 3) |
        (f.payment << 4) |
        (+f.digitised << 6) |
        (+f.electronicResult << 7) |
        (f.closedStatus << 8),
    );
    this.receivedAt.set(i, rel(f.receivedAt));
    this.dueAt.set(i, rel(f.dueAt));
    this.processingAt.set(i, rel(f.processingAt));
    this.finishedAt.set(i, rel(f.finishedAt));
    this.returnedAt.set(i, rel(f.returnedAt));
    this.closedAt.set(i, rel(f.closedAt));
  }

  get(i: number): DossierFacts {
    const flags = this.flags.data[i]!;
    return {
      desk: this.desk.data[i]!,
      day: this.day.data[i]! + BASE_DAY,
      seq: this.seq.data[i]!,
      procedure: this.procedure.data[i]!,
      channel: (flags & 3) as 1 | 2 | 3,
      fullProcess: (flags & 4) !== 0,
      fee: (flags & 8) !== 0,
      payment: ((flags >> 4) & 3) as 0 | 1 | 2 | 3,
      digitised: (flags & 64) !== 0,
      electronicResult: (flags & 128) !== 0,
      closedStatus: ((flags >> 8) & 15) as 0 | 3 | 7,
      receivedAt: abs(this.receivedAt.data[i]!),
      dueAt: abs(this.dueAt.data[i]!),
      processingAt: abs(this.processingAt.data[i]!),
      finishedAt: abs(this.finishedAt.data[i]!),
      returnedAt: abs(this.returnedAt.data[i]!),
      closedAt: abs(this.closedAt.data[i]!),
    };
  }

  /** Rebuilds the event index; call after pushing. */
  index(): void {
    const columns = [this.receivedAt, this.processingAt, this.finishedAt, this.returnedAt, this.closedAt];
    let count = 0;
    for (const column of columns) for (let i = 0; i < this.length; i++) if (column.data[i]) count++;
    const events = new Float64Array(count);
    let n = 0;
    for (const column of columns) {
      for (let i = 0; i < this.length; i++) {
        const t = column.data[i]!;
        if (t) events[n++] = t * INDEX_BITS + i;
      }
    }
    this.events = events.sort();
  }

  /**
   * Calls `visit(index, seconds)` for every event at or after `from` (seconds)
   * and at or before `until`, in time order, until `visit` returns false.
   */
  scanEvents(from: number, until: number, visit: (index: number, seconds: number) => boolean): void {
    const events = this.events;
    let lo = 0;
    let hi = events.length;
    const start = Math.max(0, from - BASE) * INDEX_BITS;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (events[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < events.length; k++) {
      const key = events[k]!;
      const t = Math.floor(key / INDEX_BITS);
      if (t + BASE > until) return;
      if (!visit(key - t * INDEX_BITS, t + BASE)) return;
    }
  }
}
