-- Look-alikes for alter-column-type: the statement below appears only in comments, literals, identifiers and bodies.
SET lock_timeout = '5s';

-- ALTER TABLE "User" ALTER COLUMN "age" TYPE BIGINT;
/* ALTER TABLE "User" ALTER COLUMN "age" TYPE BIGINT;
   /* nested: ALTER TABLE "User" ALTER COLUMN "age" TYPE BIGINT; */
   still inside the outer comment: ALTER TABLE "User" ALTER COLUMN "age" TYPE BIGINT; */
INSERT INTO "AuditLog" ("note") VALUES ('ALTER TABLE "User" ALTER COLUMN "age" TYPE BIGINT;');
INSERT INTO "AuditLog" ("note") VALUES (E'it\'s ALTER TABLE "User" ALTER COLUMN "age" TYPE BIGINT;');
CREATE TABLE "ALTER TABLE ""User"" ALTER COLUMN ""age"" TYPE BIGINT;" ("id" INTEGER);
ALTER TABLE "User" ADD COLUMN "type" TEXT;
ALTER TABLE "User" ALTER COLUMN "type" SET DEFAULT 'TYPE BIGINT';
CREATE FUNCTION lookalike_trigger() RETURNS trigger AS $$ BEGIN ALTER TABLE "User" ALTER COLUMN "age" TYPE BIGINT; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE FUNCTION lookalike_tagged() RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
    -- $$ inside a tagged body does not end it;
    ALTER TABLE "User" ALTER COLUMN "age" TYPE BIGINT;
END
$body$;
