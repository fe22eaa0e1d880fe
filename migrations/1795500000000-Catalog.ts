import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Catalog: suites and actions, MCP servers and tools, the registry (entries and their immutable
 * versions). A trigger refuses UPDATE of registry_versions: a version, once written, never changes.
 */
export class Catalog1795500000000 implements MigrationInterface {
  name = 'Catalog1795500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "mcp_servers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "name" text NOT NULL, "description" text, "transport" text NOT NULL, "url" text, "command" text, "args" jsonb NOT NULL DEFAULT '[]', "env" jsonb NOT NULL DEFAULT '{}', "headers" jsonb NOT NULL DEFAULT '{}', "secret_refs" jsonb NOT NULL DEFAULT '{}', "timeout_ms" integer, "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c781b3dc7cb2a5d19460b71914d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_mcp_servers_workspace_name" ON "mcp_servers"  ("workspace_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "mcp_tools" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "server_id" uuid NOT NULL, "name" text NOT NULL, "title" text, "description" text, "input_schema" jsonb NOT NULL, "output_schema" jsonb, "annotations" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_cf33dbb75ade8797a531295e5e7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_mcp_tools_workspace" ON "mcp_tools"  ("workspace_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_mcp_tools_server_name" ON "mcp_tools"  ("server_id", "name") `);
    await queryRunner.query(
      `CREATE TABLE "registry_entries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" text NOT NULL, "key" text NOT NULL, "workspace_id" uuid, "classification" text NOT NULL, "owner_user_id" uuid, "current_version" integer NOT NULL, "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6a5b6dbbb7ded79810b7d86e097" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_registry_entries_workspace_key" ON "registry_entries"  ("kind", "workspace_id", "key") WHERE workspace_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_registry_entries_platform_key" ON "registry_entries"  ("kind", "key") WHERE workspace_id IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "registry_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "entry_id" uuid NOT NULL, "kind" text NOT NULL, "key" text NOT NULL, "workspace_id" uuid, "version" integer NOT NULL, "spec" jsonb NOT NULL, "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_226956e962a5e934a4f77012b1c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_registry_versions_entry_version" ON "registry_versions"  ("entry_id", "version") `,
    );
    await queryRunner.query(
      `CREATE TABLE "suites" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "name" text NOT NULL, "description" text, "metadata" jsonb NOT NULL DEFAULT '{}', "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3fe1681f30af8076c8e91e69d5d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_suites_workspace_name" ON "suites"  ("workspace_id", "name") `);
    await queryRunner.query(
      `CREATE TABLE "suite_actions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workspace_id" uuid NOT NULL, "suite_id" uuid NOT NULL, "name" text NOT NULL, "description" text, "parameters_schema" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a954f7d68c45462a0c14569d8b1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_suite_actions_workspace" ON "suite_actions"  ("workspace_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_suite_actions_suite_name" ON "suite_actions"  ("suite_id", "name") `,
    );
    await queryRunner.query(
      `ALTER TABLE "mcp_servers" ADD CONSTRAINT "FK_7baf99c922e9d6cbb9ee6f20ab1" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "mcp_tools" ADD CONSTRAINT "FK_c6e26f7a2ea2098f26dbd243501" FOREIGN KEY ("server_id") REFERENCES "mcp_servers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "registry_entries" ADD CONSTRAINT "FK_a48ebc915ae9605439d95a414cf" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "registry_entries" ADD CONSTRAINT "FK_759f344a40dcbf5c104c50b5285" FOREIGN KEY ("owner_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "registry_versions" ADD CONSTRAINT "FK_7431d983ed283c8ec27981d8e62" FOREIGN KEY ("entry_id") REFERENCES "registry_entries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "suites" ADD CONSTRAINT "FK_ece75dcba48646a05c1aeadbf0d" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "suite_actions" ADD CONSTRAINT "FK_dbb47d621220a8cba196b07bee2" FOREIGN KEY ("suite_id") REFERENCES "suites"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE FUNCTION "registry_versions_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'registry_versions rows are immutable' USING ERRCODE = 'restrict_violation'; END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "registry_versions_no_update" BEFORE UPDATE ON "registry_versions" FOR EACH ROW EXECUTE FUNCTION "registry_versions_immutable"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "registry_versions_no_update" ON "registry_versions"`);
    await queryRunner.query(`DROP FUNCTION "registry_versions_immutable"()`);
    await queryRunner.query(`ALTER TABLE "suite_actions" DROP CONSTRAINT "FK_dbb47d621220a8cba196b07bee2"`);
    await queryRunner.query(`ALTER TABLE "suites" DROP CONSTRAINT "FK_ece75dcba48646a05c1aeadbf0d"`);
    await queryRunner.query(`ALTER TABLE "registry_versions" DROP CONSTRAINT "FK_7431d983ed283c8ec27981d8e62"`);
    await queryRunner.query(`ALTER TABLE "registry_entries" DROP CONSTRAINT "FK_759f344a40dcbf5c104c50b5285"`);
    await queryRunner.query(`ALTER TABLE "registry_entries" DROP CONSTRAINT "FK_a48ebc915ae9605439d95a414cf"`);
    await queryRunner.query(`ALTER TABLE "mcp_tools" DROP CONSTRAINT "FK_c6e26f7a2ea2098f26dbd243501"`);
    await queryRunner.query(`ALTER TABLE "mcp_servers" DROP CONSTRAINT "FK_7baf99c922e9d6cbb9ee6f20ab1"`);
    await queryRunner.query(`DROP INDEX "public"."uq_suite_actions_suite_name"`);
    await queryRunner.query(`DROP INDEX "public"."ix_suite_actions_workspace"`);
    await queryRunner.query(`DROP TABLE "suite_actions"`);
    await queryRunner.query(`DROP INDEX "public"."uq_suites_workspace_name"`);
    await queryRunner.query(`DROP TABLE "suites"`);
    await queryRunner.query(`DROP INDEX "public"."uq_registry_versions_entry_version"`);
    await queryRunner.query(`DROP TABLE "registry_versions"`);
    await queryRunner.query(`DROP INDEX "public"."uq_registry_entries_platform_key"`);
    await queryRunner.query(`DROP INDEX "public"."uq_registry_entries_workspace_key"`);
    await queryRunner.query(`DROP TABLE "registry_entries"`);
    await queryRunner.query(`DROP INDEX "public"."uq_mcp_tools_server_name"`);
    await queryRunner.query(`DROP INDEX "public"."ix_mcp_tools_workspace"`);
    await queryRunner.query(`DROP TABLE "mcp_tools"`);
    await queryRunner.query(`DROP INDEX "public"."uq_mcp_servers_workspace_name"`);
    await queryRunner.query(`DROP TABLE "mcp_servers"`);
  }
}
