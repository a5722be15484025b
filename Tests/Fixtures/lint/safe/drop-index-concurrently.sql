/* DropIndex, alone in its file for the same reason as CREATE INDEX CONCURRENTLY. */
DROP INDEX CONCURRENTLY IF EXISTS "Post_title_idx";
