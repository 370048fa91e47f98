export {
  StockChangeAnswer,
  StockChangeRequest,
  StockOperation,
  StockOutcome,
} from './stock-change.ts'
