-- Look-alikes for missing-lock-timeout: the statement below appears only in comments, literals, identifiers and bodies.

-- ALTER TABLE "User" ADD COLUMN "nickname" TEXT;
/* ALTER TABLE "User" ADD COLUMN "nickname" TEXT;
   /* nested: ALTER TABLE "User" ADD COLUMN "nickname" TEXT; */
   still inside the outer comment: ALTER TABLE "User" ADD COLUMN "nickname" TEXT; */
INSERT INTO "AuditLog" ("note") VALUES ('ALTER TABLE "User" ADD COLUMN "nickname" TEXT;');
INSERT INTO "AuditLog" ("note") VALUES (E'it\'s ALTER TABLE "User" ADD COLUMN "nickname" TEXT;');
CREATE TABLE "ALTER TABLE ""User"" ADD COLUMN ""nickname"" TEXT;" ("id" INTEGER);
CREATE TABLE "alter table User" ("id" INTEGER);
CREATE FUNCTION lookalike_trigger() RETURNS trigger AS $$ BEGIN ALTER TABLE "User" ADD COLUMN "nickname" TEXT; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE FUNCTION lookalike_tagged() RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
    -- $$ inside a tagged body does not end it;
    ALTER TABLE "User" ADD COLUMN "nickname" TEXT;
END
$body$;
