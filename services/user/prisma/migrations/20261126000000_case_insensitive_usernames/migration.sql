-- A username is taken whatever its case: "Alice" cannot sign up beside "alice" and pass for them.
-- Users keep the spelling they chose; login finds them by any spelling (lower(username) = lower($1)).
CREATE UNIQUE INDEX "users_username_lower_key" ON "users" (lower("username"));
