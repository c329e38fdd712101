/**
 * Vietnamese names for the simulated province: real place names of Bắc Giang
 * and Bắc Ninh (merged in 2025) where the scale needs few, and plausible
 * two-syllable names beyond that; people's names drawn from the common
 * family, middle and given names with their usual weights.
 */
import { cumulative, type Random } from './random.ts';

export const PROVINCE_NAME = 'Bắc Giang';

/** The 19 communes and towns of Yên Thế before 2025, the district of seed 001. */
export const YEN_THE_COMMUNES = [
  'Thị trấn Cầu Gồ',
  'Thị trấn Bố Hạ',
  'Xã Đồng Tâm',
  'Xã Tân Hiệp',
  'Xã Hồng Kỳ',
  'Xã Đồng Lạc',
  'Xã Đông Sơn',
  'Xã Tân Sỏi',
  'Xã Phồn Xương',
  'Xã Đồng Vương',
  'Xã Đồng Hưu',
  'Xã Canh Nậu',
  'Xã Xuân Lương',
  'Xã Tam Tiến',
  'Xã Tam Hiệp',
  'Xã An Thượng',
  'Xã Đồng Kỳ',
  'Xã Tiến Thắng',
  'Xã Hương Vĩ',
];

export const DISTRICT_NAMES = [
  'Yên Thế',
  'Tân Yên',
  'Lạng Giang',
  'Lục Nam',
  'Lục Ngạn',
  'Sơn Động',
  'Yên Dũng',
  'Việt Yên',
  'Hiệp Hòa',
  'Yên Phong',
  'Quế Võ',
  'Tiên Du',
  'Thuận Thành',
  'Gia Bình',
  'Lương Tài',
  'Từ Sơn',
];

/** Syllables for the names of places the real lists do not cover. */
const PLACE_SYLLABLES = [
  'An',
  'Bảo',
  'Bình',
  'Cao',
  'Chi',
  'Đại',
  'Đông',
  'Đồng',
  'Đức',
  'Hà',
  'Hòa',
  'Hồng',
  'Hưng',
  'Hương',
  'Khánh',
  'Kim',
  'Lạc',
  'Lam',
  'Lâm',
  'Liên',
  'Long',
  'Minh',
  'Mỹ',
  'Nam',
  'Nghĩa',
  'Ngọc',
  'Nhân',
  'Phú',
  'Phúc',
  'Phương',
  'Quang',
  'Sơn',
  'Tân',
  'Thái',
  'Thanh',
  'Thịnh',
  'Thọ',
  'Thuận',
  'Tiến',
  'Trung',
  'Trường',
  'Vân',
  'Việt',
  'Vĩnh',
  'Xuân',
  'Yên',
];

/** A place name of two syllables not yet in `taken` (which it extends). */
export function placeName(random: Random, taken: Set<string>): string {
  for (;;) {
    const name = `${random.pick(PLACE_SYLLABLES)} ${random.pick(PLACE_SYLLABLES)}`;
    const [first, second] = name.split(' ');
    if (first !== second && !taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

/** The bare place of a commune's name: `Xã Tân Sỏi` → `Tân Sỏi`. */
export const placeOf = (communeName: string) => communeName.replace(/^(Xã|Thị trấn|Phường) /, '');

const FAMILY = [
  ['Nguyễn', 38],
  ['Trần', 11],
  ['Lê', 9.5],
  ['Phạm', 7],
  ['Hoàng', 5],
  ['Phan', 4.5],
  ['Vũ', 3.9],
  ['Đặng', 2.1],
  ['Bùi', 2],
  ['Đỗ', 1.4],
  ['Hồ', 1.3],
  ['Ngô', 1.3],
  ['Dương', 1],
  ['Lý', 0.5],
  ['Đinh', 0.6],
  ['Trịnh', 0.5],
  ['Lương', 0.4],
  ['Đào', 0.4],
  ['Tạ', 0.2],
  ['Thân', 0.3],
] as const;
const FAMILY_WEIGHTS = cumulative(FAMILY.map(([, w]) => w));

const MIDDLE = {
  NAM: ['Văn', 'Đức', 'Minh', 'Quang', 'Hữu', 'Thành', 'Công', 'Xuân', 'Mạnh', 'Trọng'],
  NU: ['Thị', 'Thị', 'Thị', 'Ngọc', 'Thu', 'Thanh', 'Thùy', 'Minh', 'Phương', 'Hồng'],
};
const GIVEN = {
  NAM: [
    'Hùng',
    'Dũng',
    'Tuấn',
    'Nam',
    'Hải',
    'Long',
    'Sơn',
    'Thắng',
    'Cường',
    'Trung',
    'Hiếu',
    'Phong',
    'Quân',
    'Tùng',
    'Huy',
    'Khánh',
    'Đạt',
    'Bình',
    'An',
    'Lâm',
    'Toàn',
    'Việt',
    'Hoàng',
    'Thành',
    'Đức',
    'Kiên',
    'Nghĩa',
    'Phúc',
    'Quyết',
    'Tiến',
  ],
  NU: [
    'Lan',
    'Hương',
    'Hoa',
    'Mai',
    'Hằng',
    'Hà',
    'Linh',
    'Trang',
    'Thảo',
    'Nhung',
    'Huyền',
    'Ngọc',
    'Yến',
    'Vân',
    'Thủy',
    'Loan',
    'Hạnh',
    'Dung',
    'Phương',
    'Oanh',
    'Nga',
    'Tuyết',
    'Giang',
    'Anh',
    'Liên',
    'Thu',
    'Hiền',
    'Quyên',
    'Châu',
    'Nhàn',
  ],
};

export type Gender = 'NAM' | 'NU';

export function personName(random: Random, gender: Gender): string {
  const family = FAMILY[random.weighted(FAMILY_WEIGHTS)]![0];
  return `${family} ${random.pick(MIDDLE[gender])} ${random.pick(GIVEN[gender])}`;
}

/** A Vietnamese mobile number (10 digits, a real carrier prefix). */
export function phoneNumber(random: Random): string {
  const prefix = random.pick([
    '090',
    '091',
    '093',
    '094',
    '096',
    '097',
    '098',
    '086',
    '088',
    '032',
    '035',
    '038',
    '083',
  ]);
  return prefix + String(random.int(0, 9_999_999)).padStart(7, '0');
}
