import { MigrationInterface, QueryRunner } from 'typeorm';

export class ModelOps1795400093697 implements MigrationInterface {
  name = 'ModelOps1795400093697';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "modelops_catalog_items" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "description" text, "hosting" text NOT NULL, "task" text NOT NULL, "provider" text NOT NULL, "source_id" text, "provider_model_id" text, "metadata" jsonb NOT NULL DEFAULT '{}', "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_bd0b359ab620b7f1c36dbd4f906" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_modelops_catalog_items_name" ON "modelops_catalog_items"  ("name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "modelops_credentials" ("id" uuid NOT NULL, "name" text NOT NULL, "provider" text NOT NULL, "description" text, "secret_mask" text NOT NULL, "secret_ciphertext" bytea NOT NULL, "wrapped_data_key" bytea NOT NULL, "kek_version" text NOT NULL, "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "secret_updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_c1125cd47ce2dcfa4943bd72681" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_modelops_credentials_name" ON "modelops_credentials"  ("name") `);
    await queryRunner.query(
      `CREATE TABLE "modelops_downloads" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "source_id" text NOT NULL, "revision" text NOT NULL, "commit_sha" text NOT NULL, "status" text NOT NULL DEFAULT 'queued', "include" jsonb NOT NULL DEFAULT '[]', "bytes_total" bigint NOT NULL DEFAULT '0', "bytes_done" bigint NOT NULL DEFAULT '0', "run" integer NOT NULL DEFAULT '1', "attempts" integer NOT NULL DEFAULT '0', "error" jsonb, "catalog_item_id" uuid, "metadata" jsonb NOT NULL DEFAULT '{}', "requested_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_55af3fc012e643871da3baed622" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_modelops_downloads_source" ON "modelops_downloads"  ("source_id", "commit_sha") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_modelops_downloads_created" ON "modelops_downloads"  ("created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "modelops_download_files" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "download_id" uuid NOT NULL, "path" text NOT NULL, "size" bigint NOT NULL, "sha256" text, "blob_id" text, "status" text NOT NULL DEFAULT 'pending', "bytes_done" bigint NOT NULL DEFAULT '0', "parts" jsonb NOT NULL DEFAULT '[]', "storage_key" text, "stored_sha256" text, CONSTRAINT "PK_775a497984563d7bc642386a692" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_modelops_download_files_path" ON "modelops_download_files"  ("download_id", "path") `,
    );
    await queryRunner.query(
      `CREATE TABLE "modelops_models" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "description" text, "hosting" text NOT NULL, "task" text NOT NULL, "provider" text NOT NULL, "base_url" text, "provider_model_id" text, "credential_id" uuid, "download_id" uuid, "source_id" text, "source_commit" text, "catalog_item_id" uuid, "lifecycle_state" text NOT NULL DEFAULT 'created', "is_validation_current" boolean NOT NULL DEFAULT false, "last_validation_status" text, "last_validated_at" TIMESTAMP WITH TIME ZONE, "metadata" jsonb NOT NULL DEFAULT '{}', "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_899fb088809f0cfe5f681922ece" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_modelops_models_state" ON "modelops_models"  ("lifecycle_state", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_modelops_models_name" ON "modelops_models"  ("name") WHERE lifecycle_state <> 'deleted'`,
    );
    await queryRunner.query(
      `CREATE TABLE "modelops_model_tests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "model_id" uuid NOT NULL, "status" text NOT NULL, "runtime_id" text NOT NULL, "input" jsonb NOT NULL DEFAULT '{}', "output" jsonb NOT NULL DEFAULT '{}', "error" jsonb, "latency_ms" integer NOT NULL, "input_tokens" integer, "output_tokens" integer, "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_718a7e4954d667f25533a9d5177" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_modelops_model_tests_model" ON "modelops_model_tests"  ("model_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "modelops_model_usage" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "model_id" uuid NOT NULL, "workspace_id" uuid, "source" text NOT NULL DEFAULT 'inference', "input_tokens" integer NOT NULL DEFAULT '0', "output_tokens" integer NOT NULL DEFAULT '0', "latency_ms" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_191db02416a08d2abe5c87cba3a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_modelops_model_usage_model" ON "modelops_model_usage"  ("model_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "modelops_model_validations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "model_id" uuid NOT NULL, "status" text NOT NULL, "is_current" boolean NOT NULL DEFAULT true, "details" jsonb NOT NULL DEFAULT '{}', "error" jsonb, "duration_ms" integer NOT NULL, "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_842682b58db85bf152c3892158e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_modelops_model_validations_model" ON "modelops_model_validations"  ("model_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "modelops_model_grants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "model_id" uuid NOT NULL, "workspace_id" uuid, "min_role" text NOT NULL DEFAULT 'viewer', "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b8951c2e8ec3cabd31c1fae33a3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_modelops_model_grants_workspace" ON "modelops_model_grants"  ("workspace_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_modelops_model_grants_everyone" ON "modelops_model_grants"  ("model_id") WHERE workspace_id IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_modelops_model_grants_workspace" ON "modelops_model_grants"  ("model_id", "workspace_id") WHERE workspace_id IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "modelops_download_files" ADD CONSTRAINT "FK_36019b61f52a1147a7c652a43b8" FOREIGN KEY ("download_id") REFERENCES "modelops_downloads"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "modelops_models" ADD CONSTRAINT "FK_f38912b6f91da55f09de64bf02c" FOREIGN KEY ("credential_id") REFERENCES "modelops_credentials"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "modelops_models" ADD CONSTRAINT "FK_6889cf3755335be1d20ad67e1d0" FOREIGN KEY ("download_id") REFERENCES "modelops_downloads"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "modelops_model_tests" ADD CONSTRAINT "FK_072bee8763536c820dc4cdc9a3b" FOREIGN KEY ("model_id") REFERENCES "modelops_models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "modelops_model_usage" ADD CONSTRAINT "FK_73842ef8b5ca968a45b1cbbdd25" FOREIGN KEY ("model_id") REFERENCES "modelops_models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "modelops_model_validations" ADD CONSTRAINT "FK_d36b0c83f9ccb67aad65bb244c1" FOREIGN KEY ("model_id") REFERENCES "modelops_models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "modelops_model_grants" ADD CONSTRAINT "FK_dcc6cb7ed111b9bcab59f0926c7" FOREIGN KEY ("model_id") REFERENCES "modelops_models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "modelops_model_grants" ADD CONSTRAINT "FK_01fa8b92d9db38ea361e23147bb" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "modelops_model_grants" DROP CONSTRAINT "FK_01fa8b92d9db38ea361e23147bb"`);
    await queryRunner.query(`ALTER TABLE "modelops_model_grants" DROP CONSTRAINT "FK_dcc6cb7ed111b9bcab59f0926c7"`);
    await queryRunner.query(
      `ALTER TABLE "modelops_model_validations" DROP CONSTRAINT "FK_d36b0c83f9ccb67aad65bb244c1"`,
    );
    await queryRunner.query(`ALTER TABLE "modelops_model_usage" DROP CONSTRAINT "FK_73842ef8b5ca968a45b1cbbdd25"`);
    await queryRunner.query(`ALTER TABLE "modelops_model_tests" DROP CONSTRAINT "FK_072bee8763536c820dc4cdc9a3b"`);
    await queryRunner.query(`ALTER TABLE "modelops_models" DROP CONSTRAINT "FK_6889cf3755335be1d20ad67e1d0"`);
    await queryRunner.query(`ALTER TABLE "modelops_models" DROP CONSTRAINT "FK_f38912b6f91da55f09de64bf02c"`);
    await queryRunner.query(`ALTER TABLE "modelops_download_files" DROP CONSTRAINT "FK_36019b61f52a1147a7c652a43b8"`);
    await queryRunner.query(`DROP INDEX "public"."uq_modelops_model_grants_workspace"`);
    await queryRunner.query(`DROP INDEX "public"."uq_modelops_model_grants_everyone"`);
    await queryRunner.query(`DROP INDEX "public"."ix_modelops_model_grants_workspace"`);
    await queryRunner.query(`DROP TABLE "modelops_model_grants"`);
    await queryRunner.query(`DROP INDEX "public"."ix_modelops_model_validations_model"`);
    await queryRunner.query(`DROP TABLE "modelops_model_validations"`);
    await queryRunner.query(`DROP INDEX "public"."ix_modelops_model_usage_model"`);
    await queryRunner.query(`DROP TABLE "modelops_model_usage"`);
    await queryRunner.query(`DROP INDEX "public"."ix_modelops_model_tests_model"`);
    await queryRunner.query(`DROP TABLE "modelops_model_tests"`);
    await queryRunner.query(`DROP INDEX "public"."uq_modelops_models_name"`);
    await queryRunner.query(`DROP INDEX "public"."ix_modelops_models_state"`);
    await queryRunner.query(`DROP TABLE "modelops_models"`);
    await queryRunner.query(`DROP INDEX "public"."uq_modelops_download_files_path"`);
    await queryRunner.query(`DROP TABLE "modelops_download_files"`);
    await queryRunner.query(`DROP INDEX "public"."ix_modelops_downloads_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_modelops_downloads_source"`);
    await queryRunner.query(`DROP TABLE "modelops_downloads"`);
    await queryRunner.query(`DROP INDEX "public"."uq_modelops_credentials_name"`);
    await queryRunner.query(`DROP TABLE "modelops_credentials"`);
    await queryRunner.query(`DROP INDEX "public"."uq_modelops_catalog_items_name"`);
    await queryRunner.query(`DROP TABLE "modelops_catalog_items"`);
  }
}
