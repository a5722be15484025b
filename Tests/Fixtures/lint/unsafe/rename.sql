SET lock_timeout = '5s';

ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
ALTER TABLE "Post" RENAME TO "Article";
ALTER TABLE "Article" RENAME CONSTRAINT "Post_pkey" TO "Article_pkey";
ALTER TABLE "User" RENAME "nick" TO "nickname";
ALTER INDEX "User_email_key" RENAME TO "User_mail_key";
ALTER TYPE "Role" RENAME VALUE 'USER' TO 'MEMBER';
