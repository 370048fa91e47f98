-- The hash of the request an Idempotency-Key was first used with: the same key with another
-- request is refused (422) instead of answering with the first request's order.
ALTER TABLE "orders" ADD COLUMN "request_hash" VARCHAR(64);
