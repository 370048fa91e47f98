-- CreateTable
CREATE TABLE "orders" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "payment_status" VARCHAR(16) NOT NULL,
    "stock_status" VARCHAR(16) NOT NULL,
    "failure_reason" VARCHAR(32),
    "total_price" INTEGER NOT NULL,
    "address" VARCHAR(200) NOT NULL,
    "phone" VARCHAR(20) NOT NULL,
    "idempotency_key" VARCHAR(64),
    "release_attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "orders_status_known" CHECK ("status" IN ('PENDING', 'CONFIRMED', 'FAILED', 'CANCELLED')),
    CONSTRAINT "orders_stock_status_known" CHECK ("stock_status" IN ('reserving', 'reserved', 'kept', 'releasing', 'released'))
);

-- CreateTable
CREATE TABLE "order_items" (
    "id" SERIAL NOT NULL,
    "order_id" INTEGER NOT NULL,
    "menu_id" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "price" INTEGER NOT NULL,
    "name" VARCHAR(100) NOT NULL,

    CONSTRAINT "order_items_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "order_items_quantity_positive" CHECK ("quantity" > 0)
);

-- CreateIndex
CREATE UNIQUE INDEX "orders_user_id_idempotency_key_key" ON "orders"("user_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "orders_user_id_id_idx" ON "orders"("user_id", "id");

-- The recoverer's work list: orders whose stock may still need releasing.
CREATE INDEX "orders_unsettled_idx" ON "orders"("updated_at") WHERE "stock_status" IN ('reserving', 'reserved', 'releasing');

-- CreateIndex
CREATE UNIQUE INDEX "order_items_order_id_menu_id_key" ON "order_items"("order_id", "menu_id");

-- AddForeignKey
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;
