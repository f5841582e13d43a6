-- AlterEnum
ALTER TYPE "TaskStatus" ADD VALUE 'IN_REVIEW';
