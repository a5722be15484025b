SET lock_timeout = '5s';

-- CreateIndex
CREATE UNIQUE INDEX "User_handle_key" ON "User"("handle");
create index user_name_idx on public."User" using btree ("name");
DROP INDEX "Post_title_idx";
ALTER TABLE "User" ADD CONSTRAINT "User_nick_key" UNIQUE ("nick");

-- A new table's indexes are built while it is empty and unused.
CREATE TABLE "Tag" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL, CONSTRAINT "Tag_pkey" PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "Tag_name_key" ON "Tag"("name");
