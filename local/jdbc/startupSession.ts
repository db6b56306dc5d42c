import { SESSION_OPTIONS } from '../redshift/engine/databasePools.ts';
import { parseStartupParams } from './wireMessages.ts';

/**
 * Startup parameters PostgreSQL understands; the Redshift JDBC driver adds its own
 * (`driver_version`, `os_version`, `plugin_name`, `client_protocol_version`...), which PostgreSQL
 * would refuse with "unrecognized configuration parameter".
 */
const POSTGRES_STARTUP_PARAMS = new Set([
  'user',
  'database',
  'options',
  'application_name',
  'client_encoding',
  'DateStyle',
  'TimeZone',
  'extra_float_digits',
  'search_path',
  'replication',
]);

/** Who a wire connection is: the database and user its startup packet names. */
export interface WireSession {
  database: string;
  user: string;
}

/**
 * The session a client's startup packet opens, and the parameters relayed to the engine: the
 * client's minus the Redshift driver's own, with a Redshift session's settings (those of the Data
 * API's sessions) before the client's `options`.
 */
export function startupSession(startup: Buffer): { session: WireSession; params: Map<string, string> } {
  const params = parseStartupParams(startup);
  const session = {
    database: params.get('database') ?? params.get('user') ?? 'postgres',
    user: params.get('user') ?? 'postgres',
  };
  for (const key of [...params.keys()]) if (!POSTGRES_STARTUP_PARAMS.has(key)) params.delete(key);
  params.set('options', `${SESSION_OPTIONS} ${params.get('options') ?? ''}`.trim());
  return { session, params };
}
