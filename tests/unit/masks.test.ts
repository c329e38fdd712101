/**
 * The masked forms of personal data (schema/masks.ts): what each keeps and nothing more, for Vietnamese names in
 * either normalisation, one-word names, blank and missing values.
 */
import { describe, expect, it } from 'vitest';
import { maskBirthDate, maskName, maskPhone } from '../../schema/masks.ts';

describe('maskName', () => {
  it("keeps the given name's initial (the last word) behind a fixed prefix, with its diacritics", () => {
    expect(maskName('Nguyễn Văn An')).toBe('*** A.');
    expect(maskName('Nguyễn Văn An'.normalize('NFD'))).toBe('*** A.');
    expect(maskName('Đỗ  Thị   Ánh')).toBe('*** Á.');
    expect(maskName('Đỗ Thị Ánh'.normalize('NFD'))).toBe('*** Á.');
    expect(maskName('Trần Đức')).toBe('*** Đ.');
    expect(maskName('Lê Thị Ưng')).toBe('*** Ư.');
    expect(maskName(' Phạm Văn Ơn \t')).toBe('*** Ơ.');
  });

  it('gives neither the number of words nor their lengths', () => {
    expect(maskName('An')).toBe('*** A.');
    expect(maskName('Nguyễn Thị Minh Anh')).toBe(maskName('An'));
    expect(maskName('Tôn Nữ Thị Hà').length).toBe(maskName('Hồ Hạnh').length);
  });

  it('masks a blank name whole, and leaves a missing one missing', () => {
    expect(maskName('')).toBe('***');
    expect(maskName('   ')).toBe('***');
    expect(maskName(null)).toBeNull();
  });
});

describe('maskBirthDate', () => {
  it('keeps no year, month or day, only that a date is recorded', () => {
    expect(maskBirthDate('1985-03-06')).toBe('****-**-**');
    expect(maskBirthDate('2001-12-31')).toBe(maskBirthDate('1960-01-01'));
    expect(maskBirthDate(null)).toBeNull();
  });
});

describe('maskPhone', () => {
  it('keeps the last three digits behind seven stars, whatever the length or format', () => {
    expect(maskPhone('0912345678')).toBe('*******678');
    expect(maskPhone('+84912345678')).toBe('*******678');
    expect(maskPhone('+84 912 345 678')).toBe('*******678');
    expect(maskPhone('02043854321')).toBe('*******321');
  });

  it('keeps no digit of a number too short to hide the rest, nor of a blank one; a missing one stays missing', () => {
    expect(maskPhone('113')).toBe('**********');
    expect(maskPhone('123456')).toBe('**********');
    expect(maskPhone('')).toBe('**********');
    expect(maskPhone(null)).toBeNull();
  });
});
