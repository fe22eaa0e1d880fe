import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The events → sessions foreign key made PostgreSQL look the session up once per inserted event,
 * about a third of the cost of an append. Every write path already holds the session's row lock
 * (the ingest writer locks it before deciding anything, and finds a deleted session missing), so
 * the check proved nothing new. Deleting a session, directly or with its project or workspace,
 * still removes its events: a trigger does what ON DELETE CASCADE did.
 */
export class EventsCascadeByTrigger1795400100000 implements MigrationInterface {
  name = 'EventsCascadeByTrigger1795400100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "events" DROP CONSTRAINT "FK_f3069564d09456ff375a0d0c54b"`);
    await queryRunner.query(
      `CREATE FUNCTION delete_session_events() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         DELETE FROM events WHERE session_id IN (SELECT id FROM deleted_sessions);
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER sessions_delete_events AFTER DELETE ON sessions
         REFERENCING OLD TABLE AS deleted_sessions FOR EACH STATEMENT EXECUTE FUNCTION delete_session_events()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER sessions_delete_events ON sessions`);
    await queryRunner.query(`DROP FUNCTION delete_session_events()`);
    await queryRunner.query(
      `ALTER TABLE "events" ADD CONSTRAINT "FK_f3069564d09456ff375a0d0c54b" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }
}
