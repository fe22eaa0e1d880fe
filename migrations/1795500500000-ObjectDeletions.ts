import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Objects of deleted projects and workspaces: the deleting transaction queues their key prefixes
 * (statement triggers with transition tables, so cascades and every code path that deletes are
 * covered), and ObjectDeletionSweeper removes the objects afterwards.
 */
export class ObjectDeletions1795500500000 implements MigrationInterface {
  name = 'ObjectDeletions1795500500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "object_deletions" ("prefix" text NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_error" text, CONSTRAINT "PK_2714b451faa529f363137f3bc29" PRIMARY KEY ("prefix"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_object_deletions_due" ON "object_deletions" ("next_attempt_at") `);
    await queryRunner.query(
      `CREATE FUNCTION queue_project_objects_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO object_deletions (prefix)
           SELECT 'workspaces/' || workspace_id || '/projects/' || id FROM deleted_projects
           ON CONFLICT (prefix) DO NOTHING;
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER projects_queue_objects_deletion AFTER DELETE ON projects
         REFERENCING OLD TABLE AS deleted_projects FOR EACH STATEMENT EXECUTE FUNCTION queue_project_objects_deletion()`,
    );
    await queryRunner.query(
      `CREATE FUNCTION queue_workspace_objects_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO object_deletions (prefix)
           SELECT 'workspaces/' || id FROM deleted_workspaces
           ON CONFLICT (prefix) DO NOTHING;
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER workspaces_queue_objects_deletion AFTER DELETE ON workspaces
         REFERENCING OLD TABLE AS deleted_workspaces FOR EACH STATEMENT EXECUTE FUNCTION queue_workspace_objects_deletion()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER workspaces_queue_objects_deletion ON workspaces`);
    await queryRunner.query(`DROP FUNCTION queue_workspace_objects_deletion()`);
    await queryRunner.query(`DROP TRIGGER projects_queue_objects_deletion ON projects`);
    await queryRunner.query(`DROP FUNCTION queue_project_objects_deletion()`);
    await queryRunner.query(`DROP INDEX "public"."ix_object_deletions_due"`);
    await queryRunner.query(`DROP TABLE "object_deletions"`);
  }
}
