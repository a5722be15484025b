-- Look-alikes for drop-table: the statement below appears only in comments, literals, identifiers and bodies.
SET lock_timeout = '5s';

-- DROP TABLE "User";
/* DROP TABLE "User";
   /* nested: DROP TABLE "User"; */
   still inside the outer comment: DROP TABLE "User"; */
INSERT INTO "AuditLog" ("note") VALUES ('DROP TABLE "User";');
INSERT INTO "AuditLog" ("note") VALUES (E'it\'s DROP TABLE "User";');
CREATE TABLE "DROP TABLE ""User"";" ("id" INTEGER);
CREATE TABLE "drop table" ("drop table" TEXT);
CREATE FUNCTION lookalike_trigger() RETURNS trigger AS $$ BEGIN DROP TABLE "User"; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE FUNCTION lookalike_tagged() RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
    -- $$ inside a tagged body does not end it;
    DROP TABLE "User";
END
$body$;
