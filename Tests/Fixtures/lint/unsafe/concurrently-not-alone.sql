-- PostgreSQL runs these two statements as one implicit transaction, which CONCURRENTLY refuses.
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY "User_bio_idx" ON "User"("bio");
