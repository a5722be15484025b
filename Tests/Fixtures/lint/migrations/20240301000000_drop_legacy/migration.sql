-- Contract release: nothing reads "name" since 20240201000000_add_nickname.
SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "User" DROP COLUMN "name";
