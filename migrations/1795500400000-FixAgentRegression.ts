import { MigrationInterface, QueryRunner } from 'typeorm';

export class FixAgentRegression1795500400000 implements MigrationInterface {
  name = 'FixAgentRegression1795500400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "fix_proposals" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "incident_id" uuid NOT NULL, "agent_id" uuid NOT NULL, "agent_key" text NOT NULL, "base_version" integer NOT NULL, "plan" jsonb NOT NULL DEFAULT '[]', "diff" text NOT NULL, "fallback" boolean NOT NULL, "reason" text, "reason_detail" text, "model" text, "status" text NOT NULL DEFAULT 'proposed', "applied_version" integer, "applied_at" TIMESTAMP WITH TIME ZONE, "applied_by_user_id" uuid, "created_by_user_id" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2bc69344a32843fb5a837c45002" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_fix_proposals_incident_created" ON "fix_proposals"  ("workspace_id", "incident_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "regression_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "incident_id" uuid NOT NULL, "agent_name" text NOT NULL, "baseline_versions" text array NOT NULL, "candidate_version" text NOT NULL, "since" TIMESTAMP WITH TIME ZONE, "until" TIMESTAMP WITH TIME ZONE, "status" text NOT NULL DEFAULT 'queued', "progress" jsonb NOT NULL DEFAULT '{}', "result" jsonb, "regressed" boolean, "improved" boolean, "error" jsonb, "attempts" integer NOT NULL DEFAULT '0', "created_by_user_id" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_28118cdd33219e93b94a5f526cd" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_regression_runs_incident_created" ON "regression_runs"  ("workspace_id", "incident_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "fix_proposals" ADD CONSTRAINT "FK_cc8bfcf878333e53d998322d798" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "fix_proposals" ADD CONSTRAINT "FK_410f887124dde6875de210e4d18" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "fix_proposals" ADD CONSTRAINT "FK_33f80ba4fe465a0dc22ac80fc5a" FOREIGN KEY ("agent_id") REFERENCES "registry_entries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "fix_proposals" ADD CONSTRAINT "FK_67ec36ab4a79d17785da0cf0fa8" FOREIGN KEY ("applied_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "fix_proposals" ADD CONSTRAINT "FK_c84cce919a29ed3fcf835373137" FOREIGN KEY ("created_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "regression_runs" ADD CONSTRAINT "FK_df5cbf44b681feab165e395d27f" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "regression_runs" ADD CONSTRAINT "FK_d7150fc3e9fbfc2bee27a9d37a7" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "regression_runs" ADD CONSTRAINT "FK_afa8af3294afb355ded426f6b3a" FOREIGN KEY ("created_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "regression_runs" DROP CONSTRAINT "FK_afa8af3294afb355ded426f6b3a"`);
    await queryRunner.query(`ALTER TABLE "regression_runs" DROP CONSTRAINT "FK_d7150fc3e9fbfc2bee27a9d37a7"`);
    await queryRunner.query(`ALTER TABLE "regression_runs" DROP CONSTRAINT "FK_df5cbf44b681feab165e395d27f"`);
    await queryRunner.query(`ALTER TABLE "fix_proposals" DROP CONSTRAINT "FK_c84cce919a29ed3fcf835373137"`);
    await queryRunner.query(`ALTER TABLE "fix_proposals" DROP CONSTRAINT "FK_67ec36ab4a79d17785da0cf0fa8"`);
    await queryRunner.query(`ALTER TABLE "fix_proposals" DROP CONSTRAINT "FK_33f80ba4fe465a0dc22ac80fc5a"`);
    await queryRunner.query(`ALTER TABLE "fix_proposals" DROP CONSTRAINT "FK_410f887124dde6875de210e4d18"`);
    await queryRunner.query(`ALTER TABLE "fix_proposals" DROP CONSTRAINT "FK_cc8bfcf878333e53d998322d798"`);
    await queryRunner.query(`DROP INDEX "public"."ix_regression_runs_incident_created"`);
    await queryRunner.query(`DROP TABLE "regression_runs"`);
    await queryRunner.query(`DROP INDEX "public"."ix_fix_proposals_incident_created"`);
    await queryRunner.query(`DROP TABLE "fix_proposals"`);
  }
}
