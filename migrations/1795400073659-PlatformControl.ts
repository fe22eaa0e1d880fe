import { MigrationInterface, QueryRunner } from 'typeorm';

export class PlatformControl1795400073659 implements MigrationInterface {
  name = 'PlatformControl1795400073659';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "platform_activation_audit" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "deployment_id" uuid NOT NULL, "deployment_slug" text NOT NULL, "previous_deployment_id" uuid, "outcome" text NOT NULL, "reason" text, "preflight" jsonb NOT NULL DEFAULT '[]', "actor_user_id" uuid, "actor_api_key_id" uuid, "request_id" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_fad37455c4ca1b94a052f74c662" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_platform_activation_audit_created" ON "platform_activation_audit"  ("created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "platform_deployments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" text NOT NULL, "display_name" text NOT NULL, "description" text, "is_active" boolean NOT NULL DEFAULT false, "activated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_75bd983f4844610d82f7a0c4759" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_platform_deployments_active" ON "platform_deployments"  ("is_active") WHERE is_active`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_platform_deployments_slug" ON "platform_deployments"  ("slug") `);
    await queryRunner.query(
      `CREATE TABLE "platform_provider_families" ("key" text NOT NULL, "display_name" text NOT NULL, "description" text NOT NULL, "provider_origin" text NOT NULL, "adapter" text NOT NULL, "capabilities" text array NOT NULL, "requires_endpoint" boolean NOT NULL DEFAULT true, "sort_order" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_51e8384156bd678fe1b2a4752b6" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "platform_providers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" text NOT NULL, "display_name" text NOT NULL, "description" text, "family_key" text NOT NULL, "capability" text NOT NULL, "endpoint_url" text, "secret_refs" jsonb NOT NULL DEFAULT '{}', "config" jsonb NOT NULL DEFAULT '{}', "loaded_model_id" uuid, "loaded_model_set_at" TIMESTAMP WITH TIME ZONE, "last_validation_status" text, "last_validated_at" TIMESTAMP WITH TIME ZONE, "last_validation_result" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0d28b699f43bc5f17816dd8cfd8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_platform_providers_slug" ON "platform_providers"  ("slug") `);
    await queryRunner.query(
      `CREATE TABLE "platform_deployment_bindings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "deployment_id" uuid NOT NULL, "capability" text NOT NULL, "provider_id" uuid NOT NULL, "resources" jsonb NOT NULL DEFAULT '[]', "default_resource_id" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4a7950e08f29b4395a9f522748d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_platform_bindings_provider" ON "platform_deployment_bindings"  ("provider_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_platform_bindings_capability" ON "platform_deployment_bindings"  ("deployment_id", "capability") `,
    );
    await queryRunner.query(
      `CREATE TABLE "platform_runtime_profile" ("id" smallint NOT NULL, "mode" text NOT NULL DEFAULT 'online', "updated_by_user_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_platform_runtime_profile_mode" CHECK (mode IN ('online', 'offline')), CONSTRAINT "ck_platform_runtime_profile_singleton" CHECK (id = 1), CONSTRAINT "PK_5e4ba5f27a6679c6fe7251d1275" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "platform_vector_indexes" ("provider_id" uuid NOT NULL, "name" text NOT NULL, "dimension" integer NOT NULL, "metric" text NOT NULL DEFAULT 'cosine', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3a7c8d8693e3a16f5b5f23d4929" PRIMARY KEY ("provider_id", "name"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "platform_vector_documents" ("provider_id" uuid NOT NULL, "index_name" text NOT NULL, "document_id" text NOT NULL, "embedding" double precision array NOT NULL, "embedding_norm" double precision NOT NULL, "text" text, "metadata" jsonb NOT NULL DEFAULT '{}', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8565b2e8534661fc4e2fe9a267d" PRIMARY KEY ("provider_id", "index_name", "document_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "platform_providers" ADD CONSTRAINT "FK_c25a1ac5e740682c86d4e2310f9" FOREIGN KEY ("family_key") REFERENCES "platform_provider_families"("key") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "platform_deployment_bindings" ADD CONSTRAINT "FK_ff77bdcadd9f818b687c7ca7d8d" FOREIGN KEY ("deployment_id") REFERENCES "platform_deployments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "platform_deployment_bindings" ADD CONSTRAINT "FK_073dcc09b3cfa004d51008fe32d" FOREIGN KEY ("provider_id") REFERENCES "platform_providers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "platform_vector_indexes" ADD CONSTRAINT "FK_5b16509dab9efdf1f17d32df418" FOREIGN KEY ("provider_id") REFERENCES "platform_providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "platform_vector_documents" ADD CONSTRAINT "FK_42d0d0182253cbff9927cd8e3a4" FOREIGN KEY ("provider_id", "index_name") REFERENCES "platform_vector_indexes"("provider_id","name") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    // Provider families are seeded here and read-only; each owns its provider_origin.
    await queryRunner.query(
      `INSERT INTO "platform_provider_families" ("key", "display_name", "description", "provider_origin", "adapter", "capabilities", "requires_endpoint", "sort_order") VALUES
            ('vllm_local', 'vLLM (local)', 'A local vLLM server (OpenAI-compatible API)', 'local', 'openai_compatible', '{llm_inference,embeddings}', true, 10),
            ('llama_cpp_local', 'llama.cpp server (local)', 'A local llama.cpp server (OpenAI-compatible API)', 'local', 'openai_compatible', '{llm_inference,embeddings}', true, 20),
            ('openai_compatible_cloud_llm', 'OpenAI-compatible cloud LLM', 'A shared cloud LLM provider with an OpenAI-compatible API', 'cloud', 'openai_compatible', '{llm_inference}', true, 30),
            ('openai_compatible_cloud_embeddings', 'OpenAI-compatible cloud embeddings', 'A shared cloud embeddings provider with an OpenAI-compatible API', 'cloud', 'openai_compatible', '{embeddings}', true, 40),
            ('weaviate_local', 'Weaviate (local)', 'A local Weaviate (REST and GraphQL)', 'local', 'weaviate', '{vector_store}', true, 50),
            ('qdrant_local', 'Qdrant (local)', 'A local Qdrant (REST)', 'local', 'qdrant', '{vector_store}', true, 60),
            ('pgvector_local', 'PostgreSQL vectors (local)', 'Vectors in Flightdeck''s own PostgreSQL, cosine similarity in SQL', 'local', 'pgvector', '{vector_store}', false, 70),
            ('mcp_gateway_local', 'MCP gateway (local)', 'The local MCP gateway agents reach their tools through', 'local', 'mcp_gateway', '{mcp_runtime}', true, 80),
            ('sandbox_local', 'Sandbox (local)', 'The local code-execution sandbox', 'local', 'sandbox', '{sandbox_execution}', true, 90)`,
    );
    await queryRunner.query(`INSERT INTO "platform_runtime_profile" ("id", "mode") VALUES (1, 'online')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "platform_vector_documents" DROP CONSTRAINT "FK_42d0d0182253cbff9927cd8e3a4"`);
    await queryRunner.query(`ALTER TABLE "platform_vector_indexes" DROP CONSTRAINT "FK_5b16509dab9efdf1f17d32df418"`);
    await queryRunner.query(
      `ALTER TABLE "platform_deployment_bindings" DROP CONSTRAINT "FK_073dcc09b3cfa004d51008fe32d"`,
    );
    await queryRunner.query(
      `ALTER TABLE "platform_deployment_bindings" DROP CONSTRAINT "FK_ff77bdcadd9f818b687c7ca7d8d"`,
    );
    await queryRunner.query(`ALTER TABLE "platform_providers" DROP CONSTRAINT "FK_c25a1ac5e740682c86d4e2310f9"`);
    await queryRunner.query(`DROP TABLE "platform_vector_documents"`);
    await queryRunner.query(`DROP TABLE "platform_vector_indexes"`);
    await queryRunner.query(`DROP TABLE "platform_runtime_profile"`);
    await queryRunner.query(`DROP INDEX "public"."uq_platform_bindings_capability"`);
    await queryRunner.query(`DROP INDEX "public"."ix_platform_bindings_provider"`);
    await queryRunner.query(`DROP TABLE "platform_deployment_bindings"`);
    await queryRunner.query(`DROP INDEX "public"."uq_platform_providers_slug"`);
    await queryRunner.query(`DROP TABLE "platform_providers"`);
    await queryRunner.query(`DROP TABLE "platform_provider_families"`);
    await queryRunner.query(`DROP INDEX "public"."uq_platform_deployments_slug"`);
    await queryRunner.query(`DROP INDEX "public"."uq_platform_deployments_active"`);
    await queryRunner.query(`DROP TABLE "platform_deployments"`);
    await queryRunner.query(`DROP INDEX "public"."ix_platform_activation_audit_created"`);
    await queryRunner.query(`DROP TABLE "platform_activation_audit"`);
  }
}
