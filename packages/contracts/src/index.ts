export {
  MAX_STOCK_CHANGE,
  StockChangeAnswer,
  StockChangeRequest,
  StockOperation,
  StockOutcome,
} from './stock-change.ts'
