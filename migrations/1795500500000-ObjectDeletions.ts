import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Objects of deleted workspaces, projects and LangSmith runs: the deleting transaction queues their
 * key prefixes (statement triggers with transition tables, so cascades and every code path that
 * deletes are covered), and ObjectDeletionSweeper removes the objects afterwards.
 */
export class ObjectDeletions1795500500000 implements MigrationInterface {
  name = 'ObjectDeletions1795500500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "object_deletions" ("prefix" text NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_error" text, CONSTRAINT "PK_2714b451faa529f363137f3bc29" PRIMARY KEY ("prefix"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_object_deletions_due" ON "object_deletions" ("next_attempt_at") `);
    await queueDeletedPrefixes(queryRunner, 'workspaces', [`'workspaces/' || id`, `'langsmith/' || id`]);
    await queueDeletedPrefixes(queryRunner, 'projects', [`'workspaces/' || workspace_id || '/projects/' || id`]);
    // LangSmith attachments are kept by run (langsmith/<workspace>/<run>/<name>), not under a project.
    await queueDeletedPrefixes(
      queryRunner,
      'runs',
      [`'langsmith/' || workspace_id || '/' || id`],
      `attachments IS NOT NULL AND attachments <> '{}'::jsonb`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['runs', 'projects', 'workspaces']) {
      await queryRunner.query(`DROP TRIGGER ${table}_queue_objects_deletion ON ${table}`);
      await queryRunner.query(`DROP FUNCTION queue_${table}_objects_deletion()`);
    }
    await queryRunner.query(`DROP INDEX "public"."ix_object_deletions_due"`);
    await queryRunner.query(`DROP TABLE "object_deletions"`);
  }
}

/**
 * After a statement deletes rows of `table`, queues the key prefixes of each (`prefixes`: SQL
 * expressions over its columns), for the rows that match `where`.
 */
async function queueDeletedPrefixes(queryRunner: QueryRunner, table: string, prefixes: string[], where = 'true') {
  await queryRunner.query(
    `CREATE FUNCTION queue_${table}_objects_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO object_deletions (prefix)
         SELECT unnest(ARRAY[${prefixes.join(', ')}]) FROM deleted_rows WHERE ${where}
         ON CONFLICT (prefix) DO NOTHING;
       RETURN NULL;
     END $$`,
  );
  await queryRunner.query(
    `CREATE TRIGGER ${table}_queue_objects_deletion AFTER DELETE ON ${table}
       REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION queue_${table}_objects_deletion()`,
  );
}
