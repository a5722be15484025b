-- Look-alikes for volatile-default: the statement below appears only in comments, literals, identifiers and bodies.
SET lock_timeout = '5s';

-- ALTER TABLE "User" ADD COLUMN "token" UUID DEFAULT gen_random_uuid();
/* ALTER TABLE "User" ADD COLUMN "token" UUID DEFAULT gen_random_uuid();
   /* nested: ALTER TABLE "User" ADD COLUMN "token" UUID DEFAULT gen_random_uuid(); */
   still inside the outer comment: ALTER TABLE "User" ADD COLUMN "token" UUID DEFAULT gen_random_uuid(); */
INSERT INTO "AuditLog" ("note") VALUES ('ALTER TABLE "User" ADD COLUMN "token" UUID DEFAULT gen_random_uuid();');
INSERT INTO "AuditLog" ("note") VALUES (E'it\'s ALTER TABLE "User" ADD COLUMN "token" UUID DEFAULT gen_random_uuid();');
CREATE TABLE "ALTER TABLE ""User"" ADD COLUMN ""token"" UUID DEFAULT gen_random_uuid();" ("id" INTEGER);
ALTER TABLE "User" ADD COLUMN "gen_random_uuid()" TEXT DEFAULT 'random()';
CREATE FUNCTION lookalike_trigger() RETURNS trigger AS $$ BEGIN ALTER TABLE "User" ADD COLUMN "token" UUID DEFAULT gen_random_uuid(); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE FUNCTION lookalike_tagged() RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
    -- $$ inside a tagged body does not end it;
    ALTER TABLE "User" ADD COLUMN "token" UUID DEFAULT gen_random_uuid();
END
$body$;
