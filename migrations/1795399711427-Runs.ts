import { MigrationInterface, QueryRunner } from 'typeorm';

export class Runs1795399711427 implements MigrationInterface {
  name = 'Runs1795399711427';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "run_feedback" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "project_id" uuid, "run_id" uuid NOT NULL, "trace_id" uuid, "session_id" uuid, "pinned_project_id" uuid, "key" text NOT NULL, "score" double precision, "value" jsonb, "comment" text, "correction" jsonb, "feedback_source" jsonb, "extra" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_454781d2633157690b460174add" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_run_feedback_created" ON "run_feedback"  ("workspace_id", "created_at", "id") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_run_feedback_run" ON "run_feedback"  ("workspace_id", "run_id") `);
    await queryRunner.query(
      `CREATE TABLE "run_pending_patches" ("id" BIGSERIAL NOT NULL, "workspace_id" uuid NOT NULL, "run_id" uuid NOT NULL, "pinned_project_id" uuid, "source" text NOT NULL, "patch" jsonb NOT NULL, "extra_events" jsonb, "attachments" jsonb, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ecb3c59d86695d0afd8df7db3e8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_run_pending_patches_received" ON "run_pending_patches"  ("workspace_id", "received_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_run_pending_patches_run" ON "run_pending_patches"  ("workspace_id", "run_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "runs" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "project_id" uuid NOT NULL, "session_id" uuid NOT NULL, "trace_id" uuid NOT NULL, "parent_run_id" uuid, "dotted_order" text, "name" text NOT NULL, "run_type" text NOT NULL, "status" text NOT NULL, "start_time" TIMESTAMP WITH TIME ZONE NOT NULL, "end_time" TIMESTAMP WITH TIME ZONE, "inputs" jsonb, "outputs" jsonb, "error" text, "extra" jsonb, "tags" text array, "events" jsonb, "serialized" jsonb, "reference_example_id" uuid, "attachments" jsonb, "source" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_46d6a1e257c38ba58f1a3c30836" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_runs_workspace_project_roots" ON "runs"  ("workspace_id", "project_id", "start_time") WHERE parent_run_id IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_runs_workspace_roots" ON "runs"  ("workspace_id", "start_time") WHERE parent_run_id IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_runs_workspace_trace" ON "runs"  ("workspace_id", "trace_id", "start_time") `,
    );
    await queryRunner.query(
      `ALTER TABLE "run_feedback" ADD CONSTRAINT "FK_3d22b4b2e47b827f88b7f8c38bd" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "runs" ADD CONSTRAINT "FK_db7bc862f399ad773d26b6839f4" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "runs" DROP CONSTRAINT "FK_db7bc862f399ad773d26b6839f4"`);
    await queryRunner.query(`ALTER TABLE "run_feedback" DROP CONSTRAINT "FK_3d22b4b2e47b827f88b7f8c38bd"`);
    await queryRunner.query(`DROP INDEX "public"."ix_runs_workspace_trace"`);
    await queryRunner.query(`DROP INDEX "public"."ix_runs_workspace_roots"`);
    await queryRunner.query(`DROP INDEX "public"."ix_runs_workspace_project_roots"`);
    await queryRunner.query(`DROP TABLE "runs"`);
    await queryRunner.query(`DROP INDEX "public"."ix_run_pending_patches_run"`);
    await queryRunner.query(`DROP INDEX "public"."ix_run_pending_patches_received"`);
    await queryRunner.query(`DROP TABLE "run_pending_patches"`);
    await queryRunner.query(`DROP INDEX "public"."ix_run_feedback_run"`);
    await queryRunner.query(`DROP INDEX "public"."ix_run_feedback_created"`);
    await queryRunner.query(`DROP TABLE "run_feedback"`);
  }
}
