import { MigrationInterface, QueryRunner } from 'typeorm';

export class Artifacts1795398331537 implements MigrationInterface {
  name = 'Artifacts1795398331537';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "artifacts" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "project_id" uuid NOT NULL, "session_id" uuid NOT NULL, "kind" text NOT NULL, "content_type" text NOT NULL, "size" bigint NOT NULL, "sha256" text NOT NULL, "storage_path" text NOT NULL, "filename" text, "created_by_user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6516bbed3c129918e05c5012edb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_artifacts_storage_path" ON "artifacts"  ("workspace_id", "storage_path") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_artifacts_session_created" ON "artifacts"  ("session_id", "created_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "artifacts" ADD CONSTRAINT "FK_6731851b14ef5ccaf39cd20e2ed" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "artifacts" DROP CONSTRAINT "FK_6731851b14ef5ccaf39cd20e2ed"`);
    await queryRunner.query(`DROP INDEX "public"."ix_artifacts_session_created"`);
    await queryRunner.query(`DROP INDEX "public"."uq_artifacts_storage_path"`);
    await queryRunner.query(`DROP TABLE "artifacts"`);
  }
}
