-- release_refused: the restaurant refused to take an order's units back (it holds another quantity
-- for the order), so they are not recorded as given back; an operator must look at it.
ALTER TABLE "orders" DROP CONSTRAINT "orders_stock_status_known";
ALTER TABLE "orders" ADD CONSTRAINT "orders_stock_status_known"
  CHECK ("stock_status" IN ('reserving', 'reserved', 'kept', 'releasing', 'released', 'release_refused'));
