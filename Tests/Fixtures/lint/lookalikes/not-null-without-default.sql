-- Look-alikes for not-null-without-default: the statement below appears only in comments, literals, identifiers and bodies.
SET lock_timeout = '5s';

-- ALTER TABLE "User" ADD COLUMN "tenantId" INTEGER NOT NULL;
/* ALTER TABLE "User" ADD COLUMN "tenantId" INTEGER NOT NULL;
   /* nested: ALTER TABLE "User" ADD COLUMN "tenantId" INTEGER NOT NULL; */
   still inside the outer comment: ALTER TABLE "User" ADD COLUMN "tenantId" INTEGER NOT NULL; */
INSERT INTO "AuditLog" ("note") VALUES ('ALTER TABLE "User" ADD COLUMN "tenantId" INTEGER NOT NULL;');
INSERT INTO "AuditLog" ("note") VALUES (E'it\'s ALTER TABLE "User" ADD COLUMN "tenantId" INTEGER NOT NULL;');
CREATE TABLE "ALTER TABLE ""User"" ADD COLUMN ""tenantId"" INTEGER NOT NULL;" ("id" INTEGER);
ALTER TABLE "User" ADD COLUMN "not null" TEXT;
ALTER TABLE "User" ADD COLUMN "set not null" TEXT CHECK ("set not null" IS NOT NULL OR true);
CREATE FUNCTION lookalike_trigger() RETURNS trigger AS $$ BEGIN ALTER TABLE "User" ADD COLUMN "tenantId" INTEGER NOT NULL; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE FUNCTION lookalike_tagged() RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
    -- $$ inside a tagged body does not end it;
    ALTER TABLE "User" ADD COLUMN "tenantId" INTEGER NOT NULL;
END
$body$;
