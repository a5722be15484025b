SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "User" ADD COLUMN "tenantId" INTEGER NOT NULL;
ALTER TABLE "User" ADD COLUMN "region" TEXT DEFAULT NULL NOT NULL;
ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;

-- Safe: a constant default fills existing rows without a rewrite; NOT NULL inside a CHECK is no column constraint.
ALTER TABLE "User" ADD COLUMN "plan" TEXT NOT NULL DEFAULT 'free';
ALTER TABLE "User" ADD COLUMN "active" BOOLEAN NOT NULL DEFAULT true,
    ADD COLUMN "note" TEXT CHECK ("note" IS NOT NULL OR "active");
