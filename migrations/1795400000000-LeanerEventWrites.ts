import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every append pays for each index and column of `events`. The (session_id, type) index served
 * only type filters inside one session, which the primary key already narrows to that session;
 * the content hash served only retries, which now compare the stored payload itself.
 */
export class LeanerEventWrites1795400000000 implements MigrationInterface {
  name = 'LeanerEventWrites1795400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_events_session_type"`);
    await queryRunner.query(`ALTER TABLE "events" DROP COLUMN "content_hash"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "events" ADD "content_hash" text NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE "events" ALTER COLUMN "content_hash" DROP DEFAULT`);
    await queryRunner.query(`CREATE INDEX "ix_events_session_type" ON "events" ("session_id", "type") `);
  }
}
