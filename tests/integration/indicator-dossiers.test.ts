/**
 * The one-stop-shop's figures (store/indicators/dossiers.ts) over the hand-built
 * province of tests/support/dossier-fixture.ts. Every expected number is
 * worked out by hand from the fixture's stated dossiers; the comments show how.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DossierFigures } from '../../store/indicators/figures.ts';
import { dossierFigures } from '../../store/indicators/dossiers.ts';
import { countDossiersOfUnits } from '../../store/units.ts';
import type { DayRange } from '../../store/indicators/scope.ts';
import { P, T, TB, TC, TX, Y, seedDossierFixture } from '../support/dossier-fixture.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';

const H1: DayRange = { first: '2024-01-01', last: '2024-06-30' }; // calendar 2024-H1
const H2: DayRange = { first: '2024-07-01', last: '2024-12-31' };
const REPORTING_JUNE: DayRange = { first: '2024-05-15', last: '2024-06-14' };
const CALENDAR_JUNE: DayRange = { first: '2024-06-01', last: '2024-06-30' };

const ZERO: DossierFigures = {
  received: 0,
  receivedOnline: 0,
  receivedInPerson: 0,
  receivedPostal: 0,
  carriedOver: 0,
  receivedFullProcessEligible: 0,
  receivedFullProcessOnline: 0,
  receivedWithFee: 0,
  receivedPaidOnline: 0,
  receivedDigitised: 0,
  resolved: 0,
  resolvedEarly: 0,
  resolvedOnTime: 0,
  resolvedLate: 0,
  resolvedElectronicResult: 0,
  pending: 0,
  pendingWithinDeadline: 0,
  pendingOverdue: 0,
};

/** Seed 001's district, 2024-H1 (indexes i of the fixture's received bulk). */
const Y_H1: DossierFigures = {
  received: 2_386, // 1,297 + 1,000 + 89
  receivedOnline: 1_297, // i < 1,297
  receivedInPerson: 1_000, // 1,297 ≤ i < 2,297
  receivedPostal: 89, // 2,297 ≤ i < 2,386
  carriedOver: 45, // 44 resolved in January + 1 withdrawn on 2024-01-08 (the 3 withdrawn in 2023-12 left before)
  receivedFullProcessEligible: 1_500, // procedure PF for i < 1,500 (the carried-over PF dossiers are not received)
  receivedFullProcessOnline: 1_200, // i < 1,200
  receivedWithFee: 1_193, // even i in 0 … 2,384: 2,384 / 2 + 1
  receivedPaidOnline: 649, // even i that is online, 0 … 1,296: 1,296 / 2 + 1
  receivedDigitised: 2_346, // i < 2,346
  resolved: 2_395, // received: 2,239 + 100 + 1 + 11 = 2,351; carried over: 44; 2,351 + 44
  resolvedEarly: 2_283, // 2,239 + 44
  resolvedOnTime: 101, // 100 finished on the due day + 1 without a due date
  resolvedLate: 11,
  resolvedElectronicResult: 1_800, // i < 1,800 (2,372 … 2,381 have one but finished in July)
  pending: 34, // 20 open + 10 finished in July + 4 overdue
  pendingWithinDeadline: 30, // 20 due 2024-07-15 + 10 finished 2024-07-05
  pendingOverdue: 4, // due 2024-06-20
};
// Balance: 45 carried over + 2,386 received = 2,431 = 2,395 resolved + 34 pending + 2 left (withdrawn, refused).

/** Liên Chung, 2024-H1: S = 2024-01-01 00:00, E = 2024-07-01 00:00 (Vietnam time). */
const TC_H1: DossierFigures = {
  received: 9, // c1 c2 c3 c4 c7 c8 c12 c13 c15
  receivedOnline: 4, // c1 c2 c7 c12
  receivedInPerson: 3, // c3 c8 c15
  receivedPostal: 2, // c4 c13
  carriedOver: 3, // c6 (withdrawn 2024-02-01, after S), c10 (finished exactly at S), c14; not c5 c9 (left before), c11 (finished before)
  receivedFullProcessEligible: 4, // PF: c1 c2 c7 c12 (c3 has the flag under a PARTIAL procedure)
  receivedFullProcessOnline: 3, // c1 c7 c12
  receivedWithFee: 6, // c1 c2 c4 c7 c12 c13
  receivedPaidOnline: 3, // c1 c4 c12
  receivedDigitised: 5, // c1 c2 c4 c7 c12
  resolved: 5, // c1 c2 c3 c4 c10 (c11 finished before S, c12 at E; c15 refused)
  resolvedEarly: 2, // c4, c10
  resolvedOnTime: 2, // c1 (23:59 on the due day), c3 (no due date)
  resolvedLate: 1, // c2 (00:00 the day after)
  resolvedElectronicResult: 3, // c1 c3 c10
  pending: 4, // c8 (stopped after E), c12 (finished at E), c13 (open), c14 (finished after E)
  pendingWithinDeadline: 1, // c13: due at E itself, not before it
  pendingOverdue: 3, // c8 due 06-25, c12 due 06-30, c14 due 01-15
};
// Balance: 3 + 9 = 12 = 5 resolved + 4 pending + 3 left in the period (c6, c7, c15).

/** Liên Chung, 2024-H2: S = 2024-07-01 00:00, E = 2025-01-01 00:00. */
const TC_H2: DossierFigures = {
  ...ZERO,
  carriedOver: 4, // c8 (stopped 07-10, after S), c12 (finished at S), c13, c14
  resolved: 2, // c12 c14
  resolvedLate: 2, // c12: finished 07-01, due 06-30; c14: finished 07-02, due 01-15
  resolvedElectronicResult: 2, // c12 c14
  pending: 1, // c13 (c8 stopped before E)
  pendingOverdue: 1, // c13 due 2024-07-01 00:00
};
// Balance: 4 + 0 = 4 = 2 resolved + 1 pending + 1 left in the period (c8).

/** Việt Lập, reporting June: S = 2024-05-15 00:00, E = 2024-06-15 00:00. */
const TB_REPORTING_JUNE: DossierFigures = {
  ...ZERO,
  received: 3, // b2 (05-15 06:00), b3 (06-14 23:30), b5 (05-31); not b1 (05-14) nor b4 (06-15 00:10)
  receivedOnline: 2, // b2 b5
  receivedInPerson: 1, // b3
  carriedOver: 1, // b1, finished 05-20
  resolved: 3, // b1 b2 b5
  resolvedEarly: 2, // b1 b5
  resolvedOnTime: 1, // b2
  pending: 1, // b3
  pendingWithinDeadline: 1, // b3 due 06-28, after E
};

/** Việt Lập, calendar June: S = 2024-06-01 00:00, E = 2024-07-01 00:00. */
const TB_CALENDAR_JUNE: DossierFigures = {
  ...ZERO,
  received: 2, // b3 (06-14), b4 (06-15 00:10)
  receivedInPerson: 1, // b3
  receivedPostal: 1, // b4
  carriedOver: 2, // b2 (finished 06-14), b5 (finished 06-01 00:05); b1 finished 05-20, before S
  resolved: 3, // b2 b4 b5
  resolvedEarly: 1, // b5
  resolvedOnTime: 1, // b2
  resolvedLate: 1, // b4
  pending: 1, // b3
  pendingOverdue: 1, // b3 due 06-28, before E
};

/** Việt Lập, 2024-H1: every b received in it. */
const TB_H1: DossierFigures = {
  ...ZERO,
  received: 5,
  receivedOnline: 3, // b1 b2 b5
  receivedInPerson: 1, // b3
  receivedPostal: 1, // b4
  resolved: 4, // b1 b2 b4 b5
  resolvedEarly: 2, // b1 b5
  resolvedOnTime: 1, // b2
  resolvedLate: 1, // b4
  pending: 1, // b3
  pendingOverdue: 1, // b3 due 06-28
};

/** Việt Lập, 2024-H2: b3 is still open. */
const TB_H2: DossierFigures = { ...ZERO, carriedOver: 1, pending: 1, pendingOverdue: 1 };

/** Ngọc Thiện (valid to 2024-06-30), 2024-H1. */
const TX_H1: DossierFigures = {
  ...ZERO,
  received: 2, // x1 x2
  receivedOnline: 1, // x1
  receivedInPerson: 1, // x2
  receivedFullProcessEligible: 1, // x1
  receivedFullProcessOnline: 1,
  receivedWithFee: 1,
  receivedPaidOnline: 1,
  receivedDigitised: 1,
  resolved: 1, // x1
  resolvedEarly: 1,
  resolvedElectronicResult: 1,
  pending: 1, // x2
  pendingWithinDeadline: 1, // due 07-10
};

/** Tân Yên, 2024-H1: Liên Chung + Việt Lập + Ngọc Thiện (TC_H1 + TB_H1 + TX_H1). */
const T_H1: DossierFigures = {
  received: 16, // 9 + 5 + 2
  receivedOnline: 8, // 4 + 3 + 1
  receivedInPerson: 5, // 3 + 1 + 1
  receivedPostal: 3, // 2 + 1 + 0
  carriedOver: 3, // 3 + 0 + 0
  receivedFullProcessEligible: 5, // 4 + 0 + 1
  receivedFullProcessOnline: 4, // 3 + 0 + 1
  receivedWithFee: 7, // 6 + 0 + 1
  receivedPaidOnline: 4, // 3 + 0 + 1
  receivedDigitised: 6, // 5 + 0 + 1
  resolved: 10, // 5 + 4 + 1
  resolvedEarly: 5, // 2 + 2 + 1
  resolvedOnTime: 3, // 2 + 1 + 0
  resolvedLate: 2, // 1 + 1 + 0
  resolvedElectronicResult: 4, // 3 + 0 + 1
  pending: 6, // 4 + 1 + 1
  pendingWithinDeadline: 2, // 1 + 0 + 1
  pendingOverdue: 4, // 3 + 1 + 0
};

/** Tân Yên, 2024-H2: Liên Chung + Việt Lập only, Ngọc Thiện being dissolved (its open x2 is not carried over). */
const T_H2: DossierFigures = {
  ...ZERO,
  carriedOver: 5, // 4 + 1 (with Ngọc Thiện it would be 6)
  resolved: 2, // 2 + 0
  resolvedLate: 2, // 2 + 0
  resolvedElectronicResult: 2, // 2 + 0
  pending: 2, // 1 + 1 (with Ngọc Thiện, 3)
  pendingOverdue: 2, // 1 + 1
};

/** The province, 2024-H1: Yên Thế + Tân Yên (Y_H1 + T_H1). */
const P_H1: DossierFigures = {
  received: 2_402, // 2,386 + 16
  receivedOnline: 1_305, // 1,297 + 8
  receivedInPerson: 1_005, // 1,000 + 5
  receivedPostal: 92, // 89 + 3
  carriedOver: 48, // 45 + 3
  receivedFullProcessEligible: 1_505, // 1,500 + 5
  receivedFullProcessOnline: 1_204, // 1,200 + 4
  receivedWithFee: 1_200, // 1,193 + 7
  receivedPaidOnline: 653, // 649 + 4
  receivedDigitised: 2_352, // 2,346 + 6
  resolved: 2_405, // 2,395 + 10
  resolvedEarly: 2_288, // 2,283 + 5
  resolvedOnTime: 104, // 101 + 3
  resolvedLate: 13, // 11 + 2
  resolvedElectronicResult: 1_804, // 1,800 + 4
  pending: 40, // 34 + 6
  pendingWithinDeadline: 32, // 30 + 2
  pendingOverdue: 8, // 4 + 4
};

describe.each(testBackends)('dossier figures on %s', (backend) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await seedDossierFixture(store.db);
  });
  afterAll(() => store?.dispose());

  const one = async (root: string, range: DayRange) => (await dossierFigures(store.db, [root], range))[0];

  it("gives seed 001's district half-year figures", async () => {
    const y = await one(Y, H1);
    expect(y).toEqual(Y_H1);
    // ON_TIME_RATE = (2,283 + 101) / 2,395
    expect(y!.resolvedEarly + y!.resolvedOnTime).toBe(2_384);
  });

  it('judges outcomes by Vietnam day, left statuses by their last update, and the period bounds as instants', async () => {
    expect(await one(TC, H1)).toEqual(TC_H1);
    expect(await one(TC, H2)).toEqual(TC_H2);
  });

  it('cuts reporting and calendar months at the Vietnam 15th and 1st', async () => {
    expect(await one(TB, REPORTING_JUNE)).toEqual(TB_REPORTING_JUNE);
    expect(await one(TB, CALENDAR_JUNE)).toEqual(TB_CALENDAR_JUNE);
    expect(await one(TB, H1)).toEqual(TB_H1);
    expect(await one(TB, H2)).toEqual(TB_H2);
  });

  it('counts a unit dissolved mid-year in the half it existed in, not after', async () => {
    expect(await one(TX, H1)).toEqual(TX_H1);
    expect(await one(T, H1)).toEqual(T_H1);
    expect(await one(TX, H2)).toEqual(ZERO);
    expect(await one(T, H2)).toEqual(T_H2);
  });

  it('gives each root of a batch its own figures, in the order asked, an unknown root all zeros', async () => {
    const roots = [P, TC, 'no.such.unit', Y, TB, T, TX, TC];
    expect(await dossierFigures(store.db, roots, H1)).toEqual([P_H1, TC_H1, ZERO, Y_H1, TB_H1, T_H1, TX_H1, TC_H1]);
    expect(await dossierFigures(store.db, [T, TX, TC], H2)).toEqual([T_H2, ZERO, TC_H2]);
  });

  it('costs one statement for a batch of roots, none for no roots', async () => {
    const counting = countingDb(store.db);
    expect(await dossierFigures(counting.db, [Y, T], H1)).toEqual([Y_H1, T_H1]);
    expect(counting.statements).toHaveLength(1);
    expect(await dossierFigures(counting.db, [], H1)).toEqual([]);
    expect(counting.statements).toHaveLength(1);
  });

  it('lists a stopped dossier as STOPPED in the counts, as the figures leave it out of the open ones', async () => {
    // Liên Chung received c1 … c15; by the counts' outcome: c8, c9 STOPPED; c5, c6 withdrawn and c7, c15 refused
    // (c15 carries a finishing time and is still not resolved); c13 is the one still open, due 2024-07-01 00:00,
    // so overdue now; c1 … c4, c10 … c12, c14 resolved (c3 without a due date).
    const [counts] = await countDossiersOfUnits(store.db, [TC]);
    const byOutcome = Object.fromEntries(counts!.map((row) => [row.outcome, row.count]));
    expect(byOutcome).toMatchObject({
      STOPPED: 2,
      WITHDRAWN_OR_REFUSED: 4,
      OPEN_OVERDUE: 1,
      RESOLVED_WITHOUT_DUE_DATE: 1,
    });
    expect(byOutcome.OPEN ?? 0).toBe(0);
  });
});
