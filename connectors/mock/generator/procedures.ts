/**
 * The procedure catalogue: real fields and the procedures that carry most of
 * the volume at each level, then further procedures of the same fields up to
 * a province's usual ~1,800, each with its levels, online service level, fee
 * and processing time.
 */
import type { ProcedureWire } from '../../one-stop-shop/contract.ts';
import { Random, STREAM, cumulative } from './random.ts';

type Level = 'TINH' | 'HUYEN' | 'XA';
type Online = 'TOAN_TRINH' | 'MOT_PHAN' | 'KHONG';

export interface GenProcedure extends ProcedureWire {
  index: number;
  /** Working days from reception to the due date, at each level that handles it. */
  workingDays: Partial<Record<Level, number>>;
}

/** [field code, field name, [procedure name, levels, online service, fee]…] — the heads of the volume. */
const FIELDS: [string, string, [string, Level[], Online, boolean][]][] = [
  [
    'HT',
    'Hộ tịch',
    [
      ['Đăng ký khai sinh', ['XA'], 'TOAN_TRINH', false],
      ['Đăng ký kết hôn', ['XA'], 'MOT_PHAN', false],
      ['Đăng ký khai tử', ['XA'], 'TOAN_TRINH', false],
      ['Cấp bản sao trích lục hộ tịch', ['XA', 'HUYEN'], 'TOAN_TRINH', true],
      ['Cấp Giấy xác nhận tình trạng hôn nhân', ['XA'], 'TOAN_TRINH', true],
      ['Đăng ký nhận cha, mẹ, con', ['XA'], 'MOT_PHAN', false],
      ['Đăng ký khai sinh có yếu tố nước ngoài', ['HUYEN'], 'KHONG', true],
      ['Thay đổi, cải chính, bổ sung thông tin hộ tịch', ['XA', 'HUYEN'], 'MOT_PHAN', true],
    ],
  ],
  [
    'CT',
    'Chứng thực',
    [
      ['Chứng thực bản sao từ bản chính giấy tờ, văn bản', ['XA', 'HUYEN'], 'MOT_PHAN', true],
      ['Chứng thực chữ ký trong các giấy tờ, văn bản', ['XA', 'HUYEN'], 'KHONG', true],
      ['Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản', ['XA'], 'KHONG', true],
      [
        'Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực',
        ['XA', 'HUYEN'],
        'TOAN_TRINH',
        true,
      ],
    ],
  ],
  [
    'DD',
    'Đất đai',
    [
      [
        'Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất',
        ['HUYEN', 'TINH'],
        'MOT_PHAN',
        true,
      ],
      ['Cấp Giấy chứng nhận quyền sử dụng đất lần đầu', ['HUYEN'], 'KHONG', true],
      ['Cấp đổi Giấy chứng nhận quyền sử dụng đất', ['HUYEN', 'TINH'], 'MOT_PHAN', true],
      ['Xóa đăng ký thế chấp quyền sử dụng đất', ['HUYEN', 'TINH'], 'TOAN_TRINH', true],
      ['Hòa giải tranh chấp đất đai', ['XA'], 'KHONG', false],
    ],
  ],
  [
    'XD',
    'Hoạt động xây dựng',
    [
      ['Cấp giấy phép xây dựng nhà ở riêng lẻ', ['HUYEN'], 'MOT_PHAN', true],
      ['Cấp giấy phép xây dựng công trình', ['TINH'], 'MOT_PHAN', true],
      ['Thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở', ['TINH'], 'KHONG', true],
    ],
  ],
  [
    'HKD',
    'Thành lập và hoạt động của hộ kinh doanh',
    [
      ['Đăng ký thành lập hộ kinh doanh', ['HUYEN'], 'TOAN_TRINH', true],
      ['Đăng ký thay đổi nội dung đăng ký hộ kinh doanh', ['HUYEN'], 'TOAN_TRINH', true],
      ['Tạm ngừng kinh doanh, tiếp tục kinh doanh của hộ kinh doanh', ['HUYEN'], 'TOAN_TRINH', false],
    ],
  ],
  [
    'DN',
    'Thành lập và hoạt động của doanh nghiệp',
    [
      ['Đăng ký thành lập doanh nghiệp tư nhân', ['TINH'], 'TOAN_TRINH', true],
      ['Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên', ['TINH'], 'TOAN_TRINH', true],
      ['Đăng ký thay đổi nội dung đăng ký doanh nghiệp', ['TINH'], 'TOAN_TRINH', true],
    ],
  ],
  [
    'BTXH',
    'Bảo trợ xã hội',
    [
      ['Trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội', ['XA', 'HUYEN'], 'MOT_PHAN', false],
      ['Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội', ['XA', 'HUYEN'], 'MOT_PHAN', false],
      ['Xác định, xác định lại mức độ khuyết tật', ['XA'], 'MOT_PHAN', false],
    ],
  ],
  [
    'NCC',
    'Người có công',
    [
      ['Giải quyết chế độ trợ cấp thờ cúng liệt sĩ', ['XA', 'HUYEN', 'TINH'], 'MOT_PHAN', false],
      ['Cấp giấy xác nhận thân nhân của người có công', ['TINH'], 'TOAN_TRINH', false],
    ],
  ],
  [
    'GTDB',
    'Đường bộ',
    [
      ['Cấp đổi giấy phép lái xe do ngành Giao thông vận tải cấp', ['TINH'], 'TOAN_TRINH', true],
      ['Cấp lại giấy phép lái xe', ['TINH'], 'MOT_PHAN', true],
    ],
  ],
  ['LLTP', 'Lý lịch tư pháp', [['Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam', ['TINH'], 'TOAN_TRINH', true]]],
  [
    'GDDT',
    'Giáo dục và Đào tạo',
    [
      ['Chuyển trường đối với học sinh trung học cơ sở', ['HUYEN'], 'TOAN_TRINH', false],
      ['Cấp bản sao văn bằng, chứng chỉ từ sổ gốc', ['HUYEN', 'TINH'], 'TOAN_TRINH', false],
    ],
  ],
  ['YT', 'Khám bệnh, chữa bệnh', [['Cấp giấy phép hành nghề khám bệnh, chữa bệnh', ['TINH'], 'MOT_PHAN', true]]],
  [
    'ATTP',
    'An toàn thực phẩm',
    [['Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm', ['TINH', 'HUYEN'], 'MOT_PHAN', true]],
  ],
  ['MT', 'Môi trường', [['Cấp giấy phép môi trường', ['TINH', 'HUYEN'], 'MOT_PHAN', true]]],
  ['LDVL', 'Việc làm', [['Giải quyết hưởng trợ cấp thất nghiệp', ['TINH'], 'TOAN_TRINH', false]]],
  [
    'TDKT',
    'Thi đua, khen thưởng',
    [
      ['Tặng Giấy khen của Chủ tịch UBND cấp xã', ['XA'], 'KHONG', false],
      ['Tặng Bằng khen của Chủ tịch UBND cấp tỉnh', ['TINH'], 'KHONG', false],
    ],
  ],
  [
    'NN',
    'Nông nghiệp',
    [['Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai', ['XA', 'HUYEN'], 'KHONG', false]],
  ],
  ['VH', 'Văn hóa cơ sở', [['Công nhận danh hiệu Gia đình văn hóa', ['XA'], 'KHONG', false]]],
];

const VARIANTS = [
  'Cấp lại',
  'Điều chỉnh nội dung',
  'Gia hạn',
  'Cấp đổi',
  'Thu hồi',
  'Xác nhận',
  'Thông báo thay đổi',
  'Đăng ký bổ sung',
  'Công bố',
  'Thẩm định hồ sơ',
];
const SUBJECTS = [
  'giấy phép',
  'giấy chứng nhận',
  'chứng chỉ hành nghề',
  'quyết định công nhận',
  'hồ sơ đăng ký',
  'văn bản chấp thuận',
  'giấy xác nhận',
  'thông tin đăng ký',
];

const LEVEL_SETS: Level[][] = [['TINH'], ['TINH'], ['TINH'], ['HUYEN'], ['HUYEN', 'TINH'], ['XA'], ['XA', 'HUYEN']];

/** Working days allowed at each level: a commune answers within days, a province agency within weeks. */
function workingDaysFor(random: Random, levels: Level[]): Partial<Record<Level, number>> {
  const days: Partial<Record<Level, number>> = {};
  for (const level of levels) {
    days[level] =
      level === 'XA'
        ? 1 + random.weighted(cumulative([5, 4, 3, 1, 1]))
        : level === 'HUYEN'
          ? random.int(3, 15)
          : random.int(5, 20);
  }
  return days;
}

/** About 1,800 procedures (fewer for the tiny scale), ordered by code. */
export function buildProcedures(seed: number, count: number): GenProcedure[] {
  const random = new Random(seed, STREAM.procedures);
  const drafts: Omit<GenProcedure, 'index' | 'MaTTHC'>[] = [];
  for (const [fieldCode, fieldName, heads] of FIELDS) {
    for (const [name, levels, online, fee] of heads) {
      drafts.push({
        TenTTHC: name,
        MaLinhVuc: fieldCode,
        TenLinhVuc: fieldName,
        CapThucHien: levels,
        MucDoDVC: online,
        CoPhiLePhi: fee,
        workingDays: workingDaysFor(random, levels),
      });
    }
  }
  const names = new Set(drafts.map((d) => d.TenTTHC));
  for (let attempt = 0; drafts.length < count && attempt < count * 20; attempt++) {
    const [fieldCode, fieldName, heads] = FIELDS[attempt % FIELDS.length]!;
    const head = heads[random.int(0, heads.length - 1)]!;
    const name = `${random.pick(VARIANTS)} ${random.pick(SUBJECTS)} thuộc lĩnh vực ${fieldName.toLowerCase()}${
      random.chance(0.5) ? '' : ` (${head[0].toLowerCase()})`
    }`;
    if (names.has(name)) continue;
    names.add(name);
    const levels = random.pick(LEVEL_SETS);
    const online = random.weighted(cumulative([45, 35, 20]));
    drafts.push({
      TenTTHC: name,
      MaLinhVuc: fieldCode,
      TenLinhVuc: fieldName,
      CapThucHien: levels,
      MucDoDVC: (['TOAN_TRINH', 'MOT_PHAN', 'KHONG'] as const)[online]!,
      CoPhiLePhi: random.chance(0.4),
      workingDays: workingDaysFor(random, levels),
    });
  }
  // Codes in the national catalogue's shape: 1.00xxxx for older procedures, 2.00xxxx for newer ones.
  return drafts.map((draft, index) => ({
    ...draft,
    index,
    MaTTHC: `${index % 3 === 2 ? 2 : 1}.${String(1000 + index * 7).padStart(6, '0')}`,
  }));
}

/** The catalogue record, without the generator's own fields. */
export function procedureWire(p: GenProcedure): ProcedureWire {
  return {
    MaTTHC: p.MaTTHC,
    TenTTHC: p.TenTTHC,
    MaLinhVuc: p.MaLinhVuc,
    TenLinhVuc: p.TenLinhVuc,
    CapThucHien: p.CapThucHien,
    MucDoDVC: p.MucDoDVC,
    CoPhiLePhi: p.CoPhiLePhi,
  };
}
