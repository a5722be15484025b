-- Drops tables the old release still uses.
SET lock_timeout = '5s';

-- DropTable
DROP TABLE "LegacySession";
drop table if exists public."AuditLog", "Temp" cascade;

-- A table this migration creates itself may go again: no release has used it.
CREATE TABLE "Scratch" ("id" INTEGER NOT NULL);
DROP TABLE "Scratch";
