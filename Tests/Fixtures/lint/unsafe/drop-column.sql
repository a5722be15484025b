SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "User" DROP COLUMN "legacyName";
alter table users drop legacy_flag;
ALTER TABLE public."Post" ADD COLUMN "slug" TEXT,
    DROP COLUMN IF EXISTS "oldSlug";

-- Dropping a constraint, a default or NOT NULL keeps the old release working.
ALTER TABLE "User" DROP CONSTRAINT "User_legacy_check";
ALTER TABLE "User" ALTER COLUMN "bio" DROP DEFAULT;
ALTER TABLE "User" ALTER COLUMN "bio" DROP NOT NULL;
