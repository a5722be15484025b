-- Look-alikes for index-not-concurrent: the statement below appears only in comments, literals, identifiers and bodies.
SET lock_timeout = '5s';

-- CREATE INDEX "User_name_idx" ON "User"("name");
/* CREATE INDEX "User_name_idx" ON "User"("name");
   /* nested: CREATE INDEX "User_name_idx" ON "User"("name"); */
   still inside the outer comment: CREATE INDEX "User_name_idx" ON "User"("name"); */
INSERT INTO "AuditLog" ("note") VALUES ('CREATE INDEX "User_name_idx" ON "User"("name");');
INSERT INTO "AuditLog" ("note") VALUES (E'it\'s CREATE INDEX "User_name_idx" ON "User"("name");');
CREATE TABLE "CREATE INDEX ""User_name_idx"" ON ""User""(""name"");" ("id" INTEGER);
CREATE TABLE "create index" ("id" INTEGER);
CREATE INDEX "create index on User" ON "create index"("id");
CREATE FUNCTION lookalike_trigger() RETURNS trigger AS $$ BEGIN CREATE INDEX "User_name_idx" ON "User"("name"); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE FUNCTION lookalike_tagged() RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
    -- $$ inside a tagged body does not end it;
    CREATE INDEX "User_name_idx" ON "User"("name");
END
$body$;
