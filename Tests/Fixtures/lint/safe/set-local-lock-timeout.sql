SET LOCAL lock_timeout TO 3000;
ALTER TABLE "User" ADD COLUMN "avatar" TEXT;
ALTER TABLE "User" DROP CONSTRAINT "User_legacy_check";
