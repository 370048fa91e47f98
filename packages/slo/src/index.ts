export {
  type AlertingRule,
  generateRules,
  type RecordingRule,
  type RuleGroup,
  runbookUrl,
  sliExpr,
} from './generate.ts'
export { InvalidSloSpec, readSlothSpec, type SloSpec, type SlothSpec } from './sloth-spec.ts'
export {
  BURN_RATE_ALERTS,
  type Compression,
  compressedSeconds,
  promDuration,
  REAL_TIME,
  WORKBOOK_PERIOD_S,
  WORKBOOK_WINDOWS,
} from './windows.ts'
