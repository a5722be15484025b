-- Look-alikes for drop-column: the statement below appears only in comments, literals, identifiers and bodies.
SET lock_timeout = '5s';

-- ALTER TABLE "User" DROP COLUMN "name";
/* ALTER TABLE "User" DROP COLUMN "name";
   /* nested: ALTER TABLE "User" DROP COLUMN "name"; */
   still inside the outer comment: ALTER TABLE "User" DROP COLUMN "name"; */
INSERT INTO "AuditLog" ("note") VALUES ('ALTER TABLE "User" DROP COLUMN "name";');
INSERT INTO "AuditLog" ("note") VALUES (E'it\'s ALTER TABLE "User" DROP COLUMN "name";');
CREATE TABLE "ALTER TABLE ""User"" DROP COLUMN ""name"";" ("id" INTEGER);
ALTER TABLE "User" ADD COLUMN "drop" TEXT;
ALTER TABLE "User" ADD "drop column" TEXT;
CREATE FUNCTION lookalike_trigger() RETURNS trigger AS $$ BEGIN ALTER TABLE "User" DROP COLUMN "name"; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE FUNCTION lookalike_tagged() RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
    -- $$ inside a tagged body does not end it;
    ALTER TABLE "User" DROP COLUMN "name";
END
$body$;
