import { MigrationInterface, QueryRunner } from 'typeorm';

export class Sessions1795397759912 implements MigrationInterface {
  name = 'Sessions1795397759912';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "project_id" uuid NOT NULL, "suite_id" uuid, "source" text NOT NULL, "status" text NOT NULL DEFAULT 'running', "agent_name" text NOT NULL, "agent_version" text, "client_key" text, "metadata" jsonb NOT NULL DEFAULT '{}', "last_seq" bigint NOT NULL DEFAULT '0', "last_sub_seq" integer NOT NULL DEFAULT '0', "event_count" integer NOT NULL DEFAULT '0', "input_storage_path" text, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "last_event_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_sessions_client_key" ON "sessions"  ("workspace_id", "project_id", "client_key") WHERE client_key IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_sessions_workspace_agent" ON "sessions"  ("workspace_id", "agent_name", "agent_version", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_sessions_workspace_created" ON "sessions"  ("workspace_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "events" ("session_id" uuid NOT NULL, "seq" bigint NOT NULL, "sub_seq" integer NOT NULL DEFAULT '0', "workspace_id" uuid NOT NULL, "project_id" uuid NOT NULL, "stream_seq" bigint NOT NULL, "idempotency_key" text NOT NULL, "type" text NOT NULL, "origin" text NOT NULL DEFAULT 'agent', "client_ts" TIMESTAMP WITH TIME ZONE, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "payload" jsonb NOT NULL, "content_hash" text NOT NULL, CONSTRAINT "PK_7a883750ea0b32fa209b96b8b23" PRIMARY KEY ("session_id", "seq", "sub_seq"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_events_session_type" ON "events"  ("session_id", "type") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_events_stream" ON "events"  ("workspace_id", "stream_seq") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_events_idempotency" ON "events"  ("session_id", "idempotency_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "workspace_streams" ("workspace_id" uuid NOT NULL, "head" bigint NOT NULL DEFAULT '0', CONSTRAINT "PK_dbf5b4d4121a736dd83a3cc949f" PRIMARY KEY ("workspace_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "sessions" ADD CONSTRAINT "FK_f56ab3c008dffd4a221c95c7cf3" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sessions" ADD CONSTRAINT "FK_d9ea2f57c99bf176e702f2d3aef" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "events" ADD CONSTRAINT "FK_f3069564d09456ff375a0d0c54b" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "workspace_streams" ADD CONSTRAINT "FK_dbf5b4d4121a736dd83a3cc949f" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workspace_streams" DROP CONSTRAINT "FK_dbf5b4d4121a736dd83a3cc949f"`);
    await queryRunner.query(`ALTER TABLE "events" DROP CONSTRAINT "FK_f3069564d09456ff375a0d0c54b"`);
    await queryRunner.query(`ALTER TABLE "sessions" DROP CONSTRAINT "FK_d9ea2f57c99bf176e702f2d3aef"`);
    await queryRunner.query(`ALTER TABLE "sessions" DROP CONSTRAINT "FK_f56ab3c008dffd4a221c95c7cf3"`);
    await queryRunner.query(`DROP TABLE "workspace_streams"`);
    await queryRunner.query(`DROP INDEX "public"."uq_events_idempotency"`);
    await queryRunner.query(`DROP INDEX "public"."uq_events_stream"`);
    await queryRunner.query(`DROP INDEX "public"."ix_events_session_type"`);
    await queryRunner.query(`DROP TABLE "events"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sessions_workspace_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sessions_workspace_agent"`);
    await queryRunner.query(`DROP INDEX "public"."uq_sessions_client_key"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
  }
}
