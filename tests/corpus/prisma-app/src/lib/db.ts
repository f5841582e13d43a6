import { PrismaClient } from "@prisma/client";

// One PrismaClient per server process: in development, Next.js hot reload would otherwise
// open a new connection pool on every change.
const globalForPrisma = globalThis as unknown as { prisma: PrismaClient | undefined };

export const db =
  globalForPrisma.prisma ??
  new PrismaClient({
    log: process.env.NODE_ENV === "development" ? ["query", "warn", "error"] : ["warn", "error"],
  });

if (process.env.NODE_ENV !== "production") globalForPrisma.prisma = db;

// Moving a task to another project keeps its comments: both writes or neither.
export async function moveTask(taskId: string, projectId: string, actorId: string) {
  return db.$transaction(async (tx) => {
    const task = await tx.task.update({
      where: { id: taskId },
      data: { projectId },
    });
    await tx.comment.create({
      data: { taskId, authorId: actorId, body: `Moved to project ${projectId}` },
    });
    return task;
  });
}
