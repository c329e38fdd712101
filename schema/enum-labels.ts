/**
 * The labels of every enum value, in Vietnamese and English: the one table
 * frontends read (the root `enumLabels`) instead of copying the dashboard's
 * own. The dashboard's labels (gateway/dashboard/i18n.js) agree with it, and
 * every value of every enum of the schema has one: both are tested
 * (tests/unit/enum-labels.test.ts). Indicator codes take the catalog's names.
 */
import { GraphQLError } from 'graphql';
import { INDICATOR_CATALOG } from '../indicators/catalog.ts';
import { ANY_READ_SCOPE } from './authorization.ts';
import { builder } from './builder.ts';
import { LocalizedTextRef, type LocalizedText } from './localized-text.ts';

type Labels = Readonly<Record<string, readonly [vi: string, en: string]>>;

const TABLE: Readonly<Record<string, Labels>> = {
  AlertKind: {
    INDICATOR_TARGET_MISSED: ['Chỉ số không đạt mục tiêu', 'Indicator missed its target'],
    INDICATOR_TARGET_MET: ['Chỉ số đạt mục tiêu', 'Indicator met its target'],
    DOSSIER_OVERDUE: ['Hồ sơ quá hạn', 'Dossier overdue'],
    SOURCE_STALE: ['Nguồn chậm cập nhật', 'Source stale'],
    CIRCUIT_OPEN: ['Ngắt kết nối nguồn', 'Source circuit open'],
    DATA_QUALITY_VIOLATED: ['Vi phạm chất lượng dữ liệu', 'Data-quality rule violated'],
    FEED_REJECTING_RECORDS: ['Nguồn gửi nhiều bản ghi lỗi', 'Feed rejecting records'],
  },
  AlertSeverity: {
    INFO: ['Thông tin', 'Info'],
    WARNING: ['Cảnh báo', 'Warning'],
    CRITICAL: ['Nghiêm trọng', 'Critical'],
  },
  BreakdownDimension: {
    CHILD_UNIT: ['Đơn vị trực thuộc', 'Child units'],
    LEVEL: ['Cấp', 'Level'],
    CHANNEL: ['Kênh tiếp nhận', 'Channel'],
    PROCEDURE_FIELD: ['Lĩnh vực', 'Procedure field'],
  },
  BudgetDirection: { REVENUE: ['Thu ngân sách', 'Revenue'], SPENDING: ['Chi ngân sách', 'Spending'] },
  CircuitState: { CLOSED: ['Đóng', 'Closed'], HALF_OPEN: ['Đang thử lại', 'Half open'], OPEN: ['Ngắt', 'Open'] },
  Credential: { ANONYMOUS: ['Ẩn danh', 'Anonymous'], API_KEY: ['Khóa API', 'API key'], JWT: ['JWT', 'JWT'] },
  DataQualityOperator: { EQUAL_TO: ['Bằng', 'Equal to'], LESS_THAN_OR_EQUAL_TO: ['Không vượt quá', 'At most'] },
  DataQualityRuleGroup: {
    BUDGET: ['Ngân sách', 'Budget'],
    DOSSIERS: ['Hồ sơ', 'Dossiers'],
    PSU: ['Đơn vị sự nghiệp công lập', 'Public service units'],
    STAFF: ['Cán bộ, công chức, viên chức', 'Staff'],
  },
  DataQualitySeverity: { ERROR: ['Lỗi', 'Error'], WARNING: ['Cảnh báo', 'Warning'] },
  DossierChannel: {
    IN_PERSON: ['Trực tiếp', 'In person'],
    ONLINE: ['Trực tuyến', 'Online'],
    POSTAL: ['Qua dịch vụ bưu chính công ích', 'By public postal service'],
  },
  DossierEventKind: {
    RECEIVED: ['Tiếp nhận', 'Received'],
    RESOLVED: ['Đã giải quyết', 'Resolved'],
    OVERDUE: ['Quá hạn', 'Overdue'],
    RETURNED: ['Đã trả kết quả', 'Returned'],
  },
  DossierOutcome: {
    EARLY: ['Trước hạn', 'Early'],
    ON_TIME: ['Đúng hạn', 'On time'],
    LATE: ['Quá hạn', 'Late'],
    RESOLVED_WITHOUT_DUE_DATE: ['Đã giải quyết, không có hạn', 'Resolved without due date'],
    WITHDRAWN_OR_REFUSED: ['Rút hồ sơ hoặc từ chối', 'Withdrawn or refused'],
    STOPPED: ['Dừng xử lý', 'Processing stopped'],
    OPEN: ['Đang giải quyết, trong hạn', 'Open, within deadline'],
    OPEN_OVERDUE: ['Đang giải quyết, quá hạn', 'Open, overdue'],
  },
  DossierStatus: {
    REGISTERED: ['Mới đăng ký', 'Registered'],
    RECEIVED: ['Đã tiếp nhận', 'Received'],
    REFUSED: ['Từ chối', 'Refused'],
    PROCESSING: ['Đang xử lý', 'Processing'],
    SUPPLEMENT_REQUESTED: ['Yêu cầu bổ sung', 'Supplement requested'],
    AWAITING_PAYMENT: ['Chờ thực hiện nghĩa vụ tài chính', 'Awaiting payment'],
    WITHDRAWN: ['Công dân rút hồ sơ', 'Withdrawn'],
    STOPPED: ['Dừng xử lý', 'Stopped'],
    PROCESSED: ['Đã xử lý xong', 'Processed'],
    RETURNED: ['Đã trả kết quả', 'Result returned'],
  },
  SyncRunStatus: {
    FAILED: ['Lỗi', 'Failed'],
    RUNNING: ['Đang đồng bộ', 'Running'],
    SUCCEEDED: ['Thành công', 'Succeeded'],
  },
  FeedStatus: {
    FAILED: ['Lỗi', 'Failed'],
    IDLE: ['Chưa đồng bộ', 'Never synced'],
    RUNNING: ['Đang đồng bộ', 'Running'],
    SUCCEEDED: ['Thành công', 'Succeeded'],
  },
  Gender: { FEMALE: ['Nữ', 'Female'], MALE: ['Nam', 'Male'] },
  Hierarchy: {
    AS_WAS: ['Theo cơ cấu từng thời kỳ', 'As it was'],
    AS_IS: ['Quy đổi theo cơ cấu tại ngày chọn', 'Restated on one date'],
  },
  IndicatorDirection: {
    HIGHER_IS_BETTER: ['Càng cao càng tốt', 'Higher is better'],
    LOWER_IS_BETTER: ['Càng thấp càng tốt', 'Lower is better'],
    NEUTRAL: ['Không xếp hạng tốt/xấu', 'Neutral'],
  },
  IndicatorUnit: {
    PERCENT: ['%', '%'],
    DOSSIERS: ['Hồ sơ', 'Dossiers'],
    PEOPLE: ['Người', 'People'],
    UNITS: ['Đơn vị', 'Units'],
    VND: ['Đồng', 'VND'],
    DOSSIERS_PER_PERSON: ['Hồ sơ/người', 'Dossiers per person'],
    VND_PER_DOSSIER: ['Đồng/hồ sơ', 'VND per dossier'],
  },
  DossierOrderField: {
    RECEIVED: ['Ngày tiếp nhận', 'Received'],
    DUE: ['Ngày hẹn trả', 'Due'],
    FINISHED: ['Ngày hoàn thành', 'Finished'],
  },
  OrderDirection: { ASC: ['Tăng dần', 'Ascending'], DESC: ['Giảm dần', 'Descending'] },
  OnlinePaymentChannel: {
    NATIONAL_PORTAL: ['Cổng Dịch vụ công quốc gia', 'National public-service portal'],
    PROVINCE_GATEWAY: ['Cổng thanh toán của tỉnh', 'Province payment gateway'],
  },
  OnlineServiceLevel: {
    FULL_PROCESS: ['Toàn trình', 'Full process'],
    PARTIAL: ['Một phần', 'Partial'],
    NONE: ['Không', 'None'],
  },
  PeriodConvention: { CALENDAR: ['Theo lịch', 'Calendar'], REPORTING: ['Kỳ báo cáo', 'Reporting period'] },
  PeriodKind: {
    YEAR: ['Năm', 'Year'],
    HALF: ['6 tháng', 'Half-year'],
    QUARTER: ['Quý', 'Quarter'],
    MONTH: ['Tháng', 'Month'],
  },
  PsuSector: {
    EDUCATION: ['Giáo dục', 'Education'],
    HEALTH: ['Y tế', 'Health'],
    CULTURE: ['Văn hóa', 'Culture'],
    SCIENCE: ['Khoa học', 'Science'],
    LABOUR: ['Lao động', 'Labour'],
    ECONOMY: ['Kinh tế', 'Economy'],
    OTHER: ['Khác', 'Other'],
  },
  Qualification: {
    DOCTORATE: ['Tiến sĩ', 'Doctorate'],
    MASTER: ['Thạc sĩ', "Master's degree"],
    BACHELOR: ['Đại học', "Bachelor's degree"],
    COLLEGE: ['Cao đẳng', 'College'],
    INTERMEDIATE: ['Trung cấp', 'Intermediate vocational'],
    ELEMENTARY: ['Sơ cấp', 'Elementary vocational'],
    UNTRAINED: ['Chưa qua đào tạo', 'No professional training'],
  },
  SelfFinancingBand: {
    FULL: ['Tự bảo đảm từ 100%', '100 % or more'],
    FROM_70_UNDER_100: ['Từ 70% đến dưới 100%', '70 % to under 100 %'],
    FROM_30_UNDER_70: ['Từ 30% đến dưới 70%', '30 % to under 70 %'],
    FROM_10_UNDER_30: ['Từ 10% đến dưới 30%', '10 % to under 30 %'],
    UNDER_10: ['Dưới 10%', 'Under 10 %'],
  },
  SourceName: {
    ONE_STOP_SHOP: ['Một cửa điện tử', 'One-stop shop'],
    CADRE_DB: ['CSDL cán bộ, công chức', 'Cadre database'],
    BUDGET: ['Quản lý ngân sách', 'Budget system'],
  },
  SourceStatus: {
    FRESH: ['Cập nhật', 'Fresh'],
    DEGRADED: ['Dữ liệu suy giảm', 'Degraded'],
    STALE: ['Chậm cập nhật', 'Stale'],
    FAILING: ['Lỗi đồng bộ', 'Failing'],
    CIRCUIT_OPEN: ['Ngắt kết nối', 'Circuit open'],
  },
  StaffCategory: {
    CADRE: ['Cán bộ', 'Cadre'],
    CIVIL_SERVANT: ['Công chức', 'Civil servant'],
    PUBLIC_EMPLOYEE: ['Viên chức', 'Public employee'],
    CONTRACT_WORKER: ['Hợp đồng lao động', 'Contract worker'],
  },
  StaffStatus: {
    SERVING: ['Đang công tác', 'Serving'],
    RETIRED: ['Nghỉ hưu', 'Retired'],
    LEFT: ['Thôi việc', 'Left'],
    TRANSFERRED_OUT: ['Chuyển công tác', 'Transferred out'],
  },
  TargetSource: {
    DEFAULT: ['Mặc định', 'Default'],
    STORED_FOR_ANCESTOR: ['Theo đơn vị cấp trên', 'Set for a unit above'],
    STORED_FOR_UNIT: ['Của đơn vị', 'Set for the unit'],
  },
  TrendStep: {
    YEAR: ['Năm', 'Year'],
    HALF: ['6 tháng', 'Half-year'],
    QUARTER: ['Quý', 'Quarter'],
    MONTH: ['Tháng', 'Month'],
  },
  TrustedDocumentOutcome: {
    ADDED: ['Đã thêm', 'Added'],
    UNCHANGED: ['Không đổi', 'Unchanged'],
    RESTORED: ['Đã khôi phục', 'Restored'],
  },
  UnitEventType: {
    MERGER: ['Sáp nhập', 'Merger'],
    SPLIT: ['Chia tách', 'Split'],
    DISSOLUTION: ['Giải thể', 'Dissolution'],
    CREATION: ['Thành lập', 'Creation'],
    RENAME: ['Đổi tên', 'Rename'],
  },
  UnitKind: {
    PEOPLES_COMMITTEE: ['UBND', "People's Committee"],
    AGENCY: ['Cơ quan chuyên môn', 'Agency'],
    PUBLIC_SERVICE_UNIT: ['Đơn vị sự nghiệp công lập', 'Public service unit'],
  },
  UnitLevel: {
    PROVINCE: ['Cấp tỉnh', 'Province level'],
    DISTRICT: ['Cấp huyện', 'District level'],
    COMMUNE: ['Cấp xã', 'Commune level'],
  },
  IndicatorCode: Object.fromEntries(INDICATOR_CATALOG.map((d) => [d.code, [d.nameVi, d.nameEn] as const])),
};

/** The enums labelled, by GraphQL type name. */
export const LABELLED_ENUMS: readonly string[] = Object.keys(TABLE).sort();

/** A value's label; undefined when the table has none (the test says which). */
export function enumLabel(type: string, value: string): LocalizedText | undefined {
  const labels = TABLE[type]?.[value];
  return labels && { vi: labels[0], en: labels[1] };
}

interface EnumValueLabel {
  type: string;
  value: string;
  label: LocalizedText;
}

const EnumValueLabelRef = builder.objectRef<EnumValueLabel>('EnumValueLabel').implement({
  description: 'The label of one value of an enum.',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'The enum’s GraphQL name, e.g. DossierStatus.' }),
    value: t.exposeString('value', { description: 'The value, as the schema writes it, e.g. RETURNED.' }),
    label: t.field({ type: LocalizedTextRef, description: 'Its label.', resolve: (v) => v.label }),
  }),
});

builder.queryFields((t) => ({
  enumLabels: t.field({
    type: [EnumValueLabelRef],
    authScopes: ANY_READ_SCOPE,
    description: `Labels in Vietnamese and English for the values of the schema’s enums (${LABELLED_ENUMS.join(', ')}), by enum then in the table’s order: one query gives a frontend every label it shows. Needs any read scope. An unknown type is BAD_USER_INPUT.`,
    args: {
      type: t.arg.string({
        description: 'Only this enum, by its GraphQL name (e.g. DossierStatus); every enum when omitted.',
      }),
    },
    resolve: (_root, args) => {
      if (args.type != null && !TABLE[args.type]) {
        throw new GraphQLError(`Unknown enum type: ${args.type} (labelled: ${LABELLED_ENUMS.join(', ')})`, {
          extensions: { code: 'BAD_USER_INPUT', argument: 'type' },
        });
      }
      return (args.type != null ? [args.type] : LABELLED_ENUMS).flatMap((type) =>
        Object.keys(TABLE[type]!).map((value) => ({ type, value, label: enumLabel(type, value)! })),
      );
    },
  }),
}));
