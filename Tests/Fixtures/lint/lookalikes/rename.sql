-- Look-alikes for rename: the statement below appears only in comments, literals, identifiers and bodies.
SET lock_timeout = '5s';

-- ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
/* ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
   /* nested: ALTER TABLE "User" RENAME COLUMN "name" TO "fullName"; */
   still inside the outer comment: ALTER TABLE "User" RENAME COLUMN "name" TO "fullName"; */
INSERT INTO "AuditLog" ("note") VALUES ('ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";');
INSERT INTO "AuditLog" ("note") VALUES (E'it\'s ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";');
CREATE TABLE "ALTER TABLE ""User"" RENAME COLUMN ""name"" TO ""fullName"";" ("id" INTEGER);
ALTER TABLE "User" ADD COLUMN "rename" TEXT;
CREATE FUNCTION lookalike_trigger() RETURNS trigger AS $$ BEGIN ALTER TABLE "User" RENAME COLUMN "name" TO "fullName"; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE FUNCTION lookalike_tagged() RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
    -- $$ inside a tagged body does not end it;
    ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
END
$body$;
