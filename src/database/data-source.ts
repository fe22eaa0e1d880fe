// The DataSource of the TypeORM CLI (migration:generate/run/revert). It needs DATABASE_URL: the
// embedded engine is started by the app, so point this at it or at any PostgreSQL.
import { DataSource } from 'typeorm';
import { loadDotEnv } from '../config/load-env';
import { env } from '../config/configuration';
import { buildDataSourceOptions } from './data-source-options';

loadDotEnv();
const url = env().DATABASE_URL;
if (!url) throw new Error('DATABASE_URL must be set for the migration CLI');

export default new DataSource(buildDataSourceOptions(url, 2));
