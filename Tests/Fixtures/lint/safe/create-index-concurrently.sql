-- CreateIndex
-- CONCURRENTLY keeps writes flowing. Prisma runs a migration file as one transaction and CONCURRENTLY
-- cannot run inside one, so this file holds that statement alone.
CREATE INDEX CONCURRENTLY "User_name_idx" ON "User"("name");
