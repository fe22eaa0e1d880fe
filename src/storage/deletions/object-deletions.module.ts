import { Module } from '@nestjs/common';
import { processorProviders } from 'src/queue/queue-role';
import { ObjectDeletionSweeper } from './object-deletion.sweeper';
import { ObjectDeletionsRepository } from './object-deletions.repository';

/**
 * The removal of the stored objects of deleted workspaces, projects and LangSmith runs
 * (`object_deletions`, filled by database triggers). Only processes that run jobs sweep: a worker, or an API process without
 * Redis or with RUN_PROCESSORS.
 */
@Module({ providers: [ObjectDeletionsRepository, ...processorProviders(ObjectDeletionSweeper)] })
export class ObjectDeletionsModule {}
