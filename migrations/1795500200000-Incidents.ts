import { MigrationInterface, QueryRunner } from 'typeorm';

export class Incidents1795500200000 implements MigrationInterface {
  name = 'Incidents1795500200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "analyses" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "project_id" uuid NOT NULL, "session_id" uuid NOT NULL, "source" text NOT NULL, "detector_version" text NOT NULL, "digest" text NOT NULL, "labels" jsonb NOT NULL DEFAULT '[]', "findings" jsonb NOT NULL DEFAULT '[]', "critical_step" bigint, "thresholds" jsonb NOT NULL DEFAULT '{}', "event_count" integer NOT NULL DEFAULT '0', "last_seq" bigint NOT NULL DEFAULT '0', "truncated" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_91421900ca225ed9865d016a940" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_analyses_workspace_updated" ON "analyses"  ("workspace_id", "updated_at") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_analyses_session" ON "analyses"  ("session_id") `);
    await queryRunner.query(
      `CREATE TABLE "incidents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "fingerprint" text NOT NULL, "detector" text NOT NULL, "label" text NOT NULL, "signature" text NOT NULL, "title" text NOT NULL, "status" text NOT NULL DEFAULT 'open', "owner_user_id" uuid, "occurrence_count" integer NOT NULL DEFAULT '0', "first_seen_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "agents" text array NOT NULL DEFAULT '{}', "agent_versions" text array NOT NULL DEFAULT '{}', "project_ids" uuid array NOT NULL DEFAULT '{}', "sample_session_ids" uuid array NOT NULL DEFAULT '{}', "resolved_at" TIMESTAMP WITH TIME ZONE, "reopened_count" integer NOT NULL DEFAULT '0', "reopened_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ccb34c01719889017e2246469f9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_incidents_workspace_last_seen" ON "incidents"  ("workspace_id", "last_seen_at", "id") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_incidents_fingerprint" ON "incidents"  ("fingerprint") `);
    await queryRunner.query(
      `CREATE TABLE "incident_sessions" ("incident_id" uuid NOT NULL, "session_id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "project_id" uuid NOT NULL, "agent_name" text NOT NULL, "agent_version" text, "confidence" real NOT NULL, "critical_step" bigint NOT NULL, "seen_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0a0c5ff2176d8fc797dd5290cdc" PRIMARY KEY ("incident_id", "session_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_incident_sessions_incident_seen" ON "incident_sessions"  ("incident_id", "seen_at") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_incident_sessions_session" ON "incident_sessions"  ("session_id") `);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD "service" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `ALTER TABLE "analyses" ADD CONSTRAINT "FK_369e8c312de53cff7b4eda4ef85" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "analyses" ADD CONSTRAINT "FK_09bd5113e827728f2dbd25923e3" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "incidents" ADD CONSTRAINT "FK_159418b4e46c5c153fa0b4e62fb" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "incidents" ADD CONSTRAINT "FK_68093aebd6ca4785d90f148da0d" FOREIGN KEY ("owner_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "incident_sessions" ADD CONSTRAINT "FK_9f34459841d07676a49b10a262f" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "incident_sessions" ADD CONSTRAINT "FK_a7b8f7d3d590400837ae676aa1f" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "incident_sessions" DROP CONSTRAINT "FK_a7b8f7d3d590400837ae676aa1f"`);
    await queryRunner.query(`ALTER TABLE "incident_sessions" DROP CONSTRAINT "FK_9f34459841d07676a49b10a262f"`);
    await queryRunner.query(`ALTER TABLE "incidents" DROP CONSTRAINT "FK_68093aebd6ca4785d90f148da0d"`);
    await queryRunner.query(`ALTER TABLE "incidents" DROP CONSTRAINT "FK_159418b4e46c5c153fa0b4e62fb"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP CONSTRAINT "FK_09bd5113e827728f2dbd25923e3"`);
    await queryRunner.query(`ALTER TABLE "analyses" DROP CONSTRAINT "FK_369e8c312de53cff7b4eda4ef85"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "service"`);
    await queryRunner.query(`DROP INDEX "public"."ix_incident_sessions_session"`);
    await queryRunner.query(`DROP INDEX "public"."ix_incident_sessions_incident_seen"`);
    await queryRunner.query(`DROP TABLE "incident_sessions"`);
    await queryRunner.query(`DROP INDEX "public"."uq_incidents_fingerprint"`);
    await queryRunner.query(`DROP INDEX "public"."ix_incidents_workspace_last_seen"`);
    await queryRunner.query(`DROP TABLE "incidents"`);
    await queryRunner.query(`DROP INDEX "public"."uq_analyses_session"`);
    await queryRunner.query(`DROP INDEX "public"."ix_analyses_workspace_updated"`);
    await queryRunner.query(`DROP TABLE "analyses"`);
  }
}
