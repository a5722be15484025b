-- AlterTable
ALTER TABLE "User" ADD COLUMN "nickname" TEXT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN "avatar" TEXT;
