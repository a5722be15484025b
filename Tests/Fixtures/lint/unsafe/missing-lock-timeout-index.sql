-- CreateTable
CREATE TABLE "Tag" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL, CONSTRAINT "Tag_pkey" PRIMARY KEY ("id"));
CREATE INDEX "Tag_name_idx" ON "Tag"("name");
-- SET lock_timeout = '5s'; (a comment sets nothing)
CREATE INDEX "User_name_idx" ON "User"("name");
SET lock_timeout = '5s';
ALTER TABLE "User" ADD COLUMN "avatar" TEXT;
