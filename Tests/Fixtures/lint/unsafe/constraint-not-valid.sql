SET lock_timeout = '5s';

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "User" ADD CONSTRAINT "User_age_check" CHECK ("age" >= 0);
ALTER TABLE "User" ADD CHECK (char_length("name") > 0);

-- Safe: NOT VALID now, VALIDATE CONSTRAINT in a later migration...
ALTER TABLE "Post" ADD CONSTRAINT "Post_editorId_fkey" FOREIGN KEY ("editorId") REFERENCES "User"("id") NOT VALID;
-- ...not in this one: the file is one transaction, and ADD CONSTRAINT's lock would be held through the scan.
ALTER TABLE "Post" VALIDATE CONSTRAINT "Post_editorId_fkey";
