import { MigrationInterface, QueryRunner } from 'typeorm';

export class Examples1795500100000 implements MigrationInterface {
  name = 'Examples1795500100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "examples" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "project_id" uuid NOT NULL, "session_id" uuid NOT NULL, "suite_id" uuid, "model_id" uuid NOT NULL, "model_configuration" jsonb NOT NULL DEFAULT '{}', "options" jsonb NOT NULL, "through_seq" bigint NOT NULL, "through_sub_seq" integer NOT NULL, "status" text NOT NULL DEFAULT 'queued', "phase" text, "events_read" integer NOT NULL DEFAULT '0', "progress" real NOT NULL DEFAULT '0', "attempts" integer NOT NULL DEFAULT '0', "stats" jsonb, "error" jsonb, "storage_path" text, "size_bytes" bigint, "sha256" text, "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_ea56499b0a3a29593d3405080e8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_examples_unfinished" ON "examples"  ("created_at") WHERE status IN ('queued', 'running')`,
    );
    await queryRunner.query(`CREATE INDEX "ix_examples_workspace_suite" ON "examples"  ("workspace_id", "suite_id") `);
    await queryRunner.query(`CREATE INDEX "ix_examples_workspace_model" ON "examples"  ("workspace_id", "model_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_examples_workspace_session" ON "examples"  ("workspace_id", "session_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_examples_workspace_created" ON "examples"  ("workspace_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "examples" ADD CONSTRAINT "FK_5fb76cb8cf1c90f5e099d5611d8" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "examples" ADD CONSTRAINT "FK_eefc168b13a310e3c132c93b12c" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "examples" DROP CONSTRAINT "FK_eefc168b13a310e3c132c93b12c"`);
    await queryRunner.query(`ALTER TABLE "examples" DROP CONSTRAINT "FK_5fb76cb8cf1c90f5e099d5611d8"`);
    await queryRunner.query(`DROP INDEX "public"."ix_examples_workspace_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_examples_workspace_session"`);
    await queryRunner.query(`DROP INDEX "public"."ix_examples_workspace_model"`);
    await queryRunner.query(`DROP INDEX "public"."ix_examples_workspace_suite"`);
    await queryRunner.query(`DROP INDEX "public"."ix_examples_unfinished"`);
    await queryRunner.query(`DROP TABLE "examples"`);
  }
}
