-- Look-alikes for constraint-not-valid: the statement below appears only in comments, literals, identifiers and bodies.
SET lock_timeout = '5s';

-- ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id");
/* ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id");
   /* nested: ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id"); */
   still inside the outer comment: ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id"); */
INSERT INTO "AuditLog" ("note") VALUES ('ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id");');
INSERT INTO "AuditLog" ("note") VALUES (E'it\'s ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id");');
CREATE TABLE "ALTER TABLE ""Post"" ADD CONSTRAINT ""Post_authorId_fkey"" FOREIGN KEY (""authorId"") REFERENCES ""User""(""id"");" ("id" INTEGER);
ALTER TABLE "Post" ADD COLUMN "check" TEXT, ADD "foreign" TEXT;
CREATE FUNCTION lookalike_trigger() RETURNS trigger AS $$ BEGIN ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id"); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE FUNCTION lookalike_tagged() RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
    -- $$ inside a tagged body does not end it;
    ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id");
END
$body$;
