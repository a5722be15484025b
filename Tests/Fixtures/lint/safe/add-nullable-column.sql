-- Fail fast instead of queueing every query on "User" behind this migration's lock.
SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "User" ADD COLUMN "nickname" TEXT;

-- AlterTable: a constant or STABLE default is stored once, no rewrite (PostgreSQL 11+).
ALTER TABLE "User" ADD COLUMN "plan" TEXT NOT NULL DEFAULT 'free',
ADD COLUMN "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- Loosening is safe: the old release keeps writing values.
ALTER TABLE "User" ALTER COLUMN "name" DROP NOT NULL;

-- A volatile default set on an existing column only applies to new rows.
ALTER TABLE "User" ADD COLUMN "externalId" UUID;
ALTER TABLE "User" ALTER COLUMN "externalId" SET DEFAULT gen_random_uuid();

-- AddForeignKey, checked for new rows now and validated by a later migration.
ALTER TABLE "Post" ADD CONSTRAINT "Post_editorId_fkey" FOREIGN KEY ("editorId") REFERENCES "User"("id") NOT VALID;
