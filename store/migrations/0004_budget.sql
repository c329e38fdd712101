-- Finance, from the budget system, keyed by unit code: the sync resolves the
-- budget system's budget-relation codes through units.budget_code.
-- Amounts are whole đồng in bigint (exact up to 9.2 × 10^18; provincial totals reach 10^13).

-- A public service unit's own revenue and recurrent spending for a year, and
-- the autonomy group assigned to it by decision (Decree 60/2021/NĐ-CP).
CREATE TABLE psu_finance (
  unit_code             identifier NOT NULL REFERENCES units (code),
  year                  smallint NOT NULL,
  autonomy_group        smallint NOT NULL CHECK (autonomy_group BETWEEN 1 AND 4),
  decision_no           text,
  own_revenue           bigint NOT NULL CHECK (own_revenue >= 0),
  recurrent_expenditure bigint NOT NULL CHECK (recurrent_expenditure >= 0),
  synced_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (unit_code, year)
);
CREATE INDEX psu_finance_year_idx ON psu_finance (year);

-- Budget execution, cumulative to the end of a month, by state budget classification.
CREATE TABLE budget_execution_lines (
  unit_code      identifier NOT NULL REFERENCES units (code),
  year           smallint NOT NULL,
  month          smallint NOT NULL CHECK (month BETWEEN 1 AND 12),
  direction      text NOT NULL CHECK (direction IN ('REVENUE', 'SPENDING')),
  chapter_code   identifier NOT NULL,            -- chương
  category_code  identifier NOT NULL,            -- loại-khoản
  item_code      identifier NOT NULL,            -- mục
  sub_item_code  identifier NOT NULL,            -- tiểu mục
  estimate       bigint NOT NULL,                -- dự toán
  executed       bigint NOT NULL,                -- thực hiện, cumulative
  synced_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (unit_code, year, month, direction, chapter_code, category_code, item_code, sub_item_code)
);
CREATE INDEX budget_execution_lines_period_idx ON budget_execution_lines (year, month);

CREATE TABLE investment_projects (
  code        identifier PRIMARY KEY,            -- maDuAn
  name        text NOT NULL,
  name_folded text GENERATED ALWAYS AS (fold_vi(name)) STORED,
  unit_code   identifier NOT NULL REFERENCES units (code),
  synced_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX investment_projects_unit_idx ON investment_projects (unit_code);

-- Disbursement to the end of a month against the year's capital plan.
CREATE TABLE investment_disbursements (
  project_code      identifier NOT NULL REFERENCES investment_projects (code),
  year              smallint NOT NULL,
  month             smallint NOT NULL CHECK (month BETWEEN 1 AND 12),
  capital_plan      bigint NOT NULL CHECK (capital_plan >= 0),   -- keHoachVon
  disbursed_to_date bigint NOT NULL CHECK (disbursed_to_date >= 0), -- giaiNganLuyKe
  synced_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_code, year, month)
);
CREATE INDEX investment_disbursements_period_idx ON investment_disbursements (year, month);
