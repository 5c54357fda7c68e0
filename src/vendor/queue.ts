// BullMQ and its Redis client, for dispatch worker and run-many/job test --redis only.
export { Queue, QueueEvents, Worker } from 'bullmq';
export type { Job } from 'bullmq';
export { Redis } from 'ioredis';
