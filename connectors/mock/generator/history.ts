/**
 * The cadre database's v2.1 history of the simulated province, as its mock
 * serves it: each unit's versions (from the forms units.ts records), the
 * administrative events of the province (the 2022 school mergers, the
 * 1 March 2025 agency mergers, the 1 July 2025 commune mergers and the end of
 * the districts, with the creations and dissolutions they bring) and each
 * person's working history (from the chains staff.ts records).
 *
 * A record's update time is when it last changed: a version or assignment
 * changes when the next one is recorded and closes it. Only what is recorded
 * by the clock is served. The legal bases are made up in the style of real ones.
 */
import type { StaffAssignmentWire, UnitEventWire, UnitVersionWire } from '../../cadre-db/contract.ts';
import { at, dayOf, isoDay } from './calendar.ts';
import { PROVINCE_NAME } from './names.ts';
import type { GenStaff } from './staff.ts';
import {
  AGENCY_MERGER,
  isoLocal,
  REORGANISATION,
  SCHOOL_MERGER,
  type GenUnit,
  type Level,
  type Version,
} from './units.ts';

interface Form {
  at: number;
  from: number;
  to: number | null;
  /** When the next form, which closes this one, was recorded; null while it is open. */
  closedAt: number | null;
  parent: string | null;
  level: Level;
}

/** A unit's forms: a version that only ends the unit closes the form before it. */
function formsOf(unit: GenUnit, now: number): Form[] {
  const forms: Form[] = [];
  for (const v of unit.versions as Version[]) {
    if (v.at > now) break;
    const last = forms.at(-1);
    if (last) {
      last.to = v.from;
      last.closedAt = v.at;
      // The unit's end: no new form, the one before ends.
      if (v.validTo !== null && v.parent === last.parent && v.level === last.level) break;
    }
    forms.push({ at: v.at, from: v.from, to: null, closedAt: null, parent: v.parent, level: v.level });
  }
  return forms.filter((form) => form.to === null || form.to > form.from);
}

/** Every version of the unit recorded by `now`, oldest first. */
export function unitVersionsWireAt(unit: GenUnit, now: number): UnitVersionWire[] {
  return formsOf(unit, now).map((form, i) => ({
    maDinhDanh: unit.code,
    phienBan: i + 1,
    tuNgay: isoDay(form.from),
    denNgay: form.to === null ? null : isoDay(form.to),
    tenDonVi: unit.name,
    maDinhDanhCha: form.parent,
    cap: form.level,
    loaiDonVi: unit.kind,
    linhVuc: unit.sector,
    maQHNS: unit.budgetCode,
    bienChe: unit.quota,
    ngayCapNhat: isoLocal(form.closedAt ?? form.at),
  }));
}

interface GenEvent {
  id: string;
  type: UnitEventWire['loai'];
  day: number;
  basis: string;
  before: string[];
  after: string[];
}

const pad = (n: number, width = 3) => String(n).padStart(width, '0');
const districtName = (unit: GenUnit) => unit.name.replace(/^UBND /, '');
/** Decisions reach the cadre database about two weeks before they take effect. */
const recordedAt = (day: number) => at(day - 15, 10);

/** The province's administrative events, in the order the mock serves them. */
export function unitEvents(units: readonly GenUnit[]): GenEvent[] {
  const events: GenEvent[] = [];
  const districts = new Map(units.filter((u) => u.role === 'district').map((u) => [u.district, u]));

  // 2022: second primary schools merged into the first of their commune.
  for (const school of units) {
    if (school.role !== 'school' || school.validTo !== SCHOOL_MERGER) continue;
    const heir = school.successors[0]!;
    const district = districts.get(school.district)!;
    events.push({
      id: `QD-2022-${school.code}`,
      type: 'SAP_NHAP',
      day: SCHOOL_MERGER,
      basis: `Quyết định số ${1100 + (school.index % 900)}/QĐ-UBND ngày 01/8/2022 của ${district.name} về việc sáp nhập trường học`,
      before: [school.code, heir.code],
      after: [heir.code],
    });
  }

  // 1 March 2025: specialised agencies merged, two of them into agencies created that day.
  const agencyBasis = `Nghị quyết số 05/NQ-HĐND ngày 25/02/2025 của HĐND tỉnh ${PROVINCE_NAME} về việc thành lập, tổ chức lại các cơ quan chuyên môn thuộc UBND tỉnh`;
  const agencies = units.filter((u) => u.role === 'agency');
  for (const target of agencies) {
    const merged = agencies.filter((a) => a.validTo === AGENCY_MERGER && a.successors[0] === target);
    const created = target.validFrom === AGENCY_MERGER;
    if (created) {
      events.push({
        id: `NQ05-2025-TL-${target.code}`,
        type: 'THANH_LAP',
        day: AGENCY_MERGER,
        basis: agencyBasis,
        before: [],
        after: [target.code],
      });
    }
    if (merged.length === 0) continue;
    events.push({
      id: `NQ05-2025-SN-${target.code}`,
      type: 'SAP_NHAP',
      day: AGENCY_MERGER,
      basis: agencyBasis,
      before: [...merged.map((a) => a.code), ...(created ? [] : [target.code])],
      after: [target.code],
    });
  }

  // 1 July 2025: communes merged into new ones, the districts' end with their offices and centres.
  const communeBasis = `Nghị quyết số 1658/NQ-UBTVQH15 ngày 16/6/2025 của Ủy ban Thường vụ Quốc hội về việc sắp xếp các đơn vị hành chính cấp xã của tỉnh ${PROVINCE_NAME} năm 2025`;
  let merger = 0;
  for (const merged of units) {
    if (merged.role !== 'merged-commune') continue;
    merger++;
    const communes = units.filter(
      (u) => u.role === 'commune' && u.successors.length === 1 && u.successors[0] === merged,
    );
    events.push({
      id: `NQ1658-2025-${pad(merger)}`,
      type: 'SAP_NHAP',
      day: REORGANISATION,
      basis: communeBasis,
      before: communes.map((c) => c.code),
      after: [merged.code],
    });
    events.push({
      id: `NQ1658-2025-TL-${pad(merger)}`,
      type: 'THANH_LAP',
      day: REORGANISATION,
      basis: communeBasis,
      before: [],
      after: [merged.code],
    });
  }
  for (const district of districts.values()) {
    if (district.validTo !== REORGANISATION) continue;
    const no = district.code.split('.')[2]!;
    const decision = `Quyết định số ${pad(900 + (district.district ?? 0))}/QĐ-UBND ngày 20/6/2025 của UBND tỉnh ${PROVINCE_NAME}`;
    events.push({
      id: `KTHD-2025-H${no}`,
      type: 'GIAI_THE',
      day: REORGANISATION,
      basis: `Luật Tổ chức chính quyền địa phương số 72/2025/QH15 (kết thúc hoạt động của ${districtName(district)})`,
      before: [district.code],
      after: [],
    });
    const ended = units.filter((u) => u.district === district.district && u.validTo === REORGANISATION);
    const offices = ended.filter((u) => u.role === 'office');
    if (offices.length) {
      events.push({
        id: `QD${pad(900 + (district.district ?? 0))}-2025-PB-H${no}`,
        type: 'GIAI_THE',
        day: REORGANISATION,
        basis: `${decision} về việc giải thể các phòng chuyên môn thuộc ${districtName(district)}`,
        before: offices.map((u) => u.code),
        after: offices[0]!.successors.length === 1 ? [offices[0]!.successors[0]!.code] : [],
      });
    }
    for (const centre of ended.filter((u) => u.role === 'district-centre')) {
      events.push({
        id: `QD${pad(900 + (district.district ?? 0))}-2025-${centre.code}`,
        type: 'GIAI_THE',
        day: REORGANISATION,
        basis: `${decision} về việc giải thể ${centre.name}`,
        before: [centre.code],
        after: centre.successors.length === 1 ? [centre.successors[0]!.code] : [],
      });
    }
  }
  return events.sort((a, b) => a.day - b.day || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** An event as the cadre database shows it at `now`; null before it was recorded. */
export function unitEventWireAt(event: GenEvent, now: number): UnitEventWire | null {
  const recorded = recordedAt(event.day);
  if (recorded > now) return null;
  return {
    maSuKien: event.id,
    loai: event.type,
    ngayHieuLuc: isoDay(event.day),
    canCu: event.basis,
    donViTruoc: event.before,
    donViSau: event.after,
    ngayCapNhat: isoLocal(recorded),
  };
}

/**
 * A person's working history recorded by `now`: one assignment per unit
 * served in, from the day recorded (or moved) to the day they moved or left.
 * `phanLoai` and `datChuan` do not change over a person's career here.
 */
export function staffAssignmentsWireAt(person: GenStaff, now: number): StaffAssignmentWire[] {
  const out: StaffAssignmentWire[] = [];
  let open: { from: number; at: number; unit: string } | null = null;
  const close = (to: number, closedAt: number) => {
    if (open && to > open.from) out.push(wire(person, open.unit, open.from, to, closedAt));
    open = null;
  };
  for (const v of person.versions) {
    if (v.at > now) break;
    const day = dayOf(v.at);
    if (open) close(day, v.at);
    if (v.status === 'DANG_CONG_TAC') open = { from: day, at: v.at, unit: v.unit };
  }
  const last = open as { from: number; at: number; unit: string } | null;
  if (last) out.push(wire(person, last.unit, last.from, null, last.at));
  return out;
}

function wire(person: GenStaff, unit: string, from: number, to: number | null, updated: number): StaffAssignmentWire {
  return {
    soHieu: person.id,
    maDinhDanhDonVi: unit,
    phanLoai: person.category,
    chucVu: person.position,
    datChuan: person.meetsStandard,
    tuNgay: isoDay(from),
    denNgay: to === null ? null : isoDay(to),
    ngayCapNhat: isoLocal(updated),
  };
}
