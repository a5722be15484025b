-- AlterTable
ALTER TABLE "User" ADD COLUMN "nickname" TEXT;
