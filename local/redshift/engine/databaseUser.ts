import { roleNameProblem } from '../../postgres/ensureRole.ts';
import type { ConnectionInfo } from '../statements/statementRecord.ts';

/**
 * The IAM identity the local stack's callers have: one role, `local` (any credentials are
 * accepted). On AWS a Data API call without DbUser or SecretArn runs as the caller's IAM
 * identity, whose database user is `IAMR:<role>` (or `IAM:<user>`).
 */
export const LOCAL_IAM_USER = 'IAMR:local';

/**
 * The user a secret holds when SecretArn is given: there is no Secrets Manager locally, so the
 * secret is taken to hold the cluster's admin user (the console's default name).
 */
export const SECRET_USER = 'awsuser';

/** The database user a Data API statement runs as: DbUser, the secret's user, or the IAM identity. */
export function databaseUserOf(connection: ConnectionInfo): string {
  if (connection.dbUser !== undefined) return connection.dbUser;
  if (connection.secretArn !== undefined) return SECRET_USER;
  return LOCAL_IAM_USER;
}

// GetClusterCredentials' DbUser constraints: a letter, then letters, digits, _ + . @ -.
const DB_USER = /^[A-Za-z][A-Za-z0-9_+.@-]*$/;

/** Why DbUser is not a user name Redshift would accept (GetClusterCredentials' rules), or undefined. */
export function dbUserProblem(dbUser: string): string | undefined {
  if (!DB_USER.test(dbUser)) {
    return `DbUser ${JSON.stringify(dbUser)} is not a valid database user name: it must start with a letter and contain only letters, digits, underscore, plus sign, period, at sign or hyphen (no colon, slash, quote, space or control character).`;
  }
  if (dbUser.length > 64) {
    return `DbUser ${JSON.stringify(dbUser)} is ${dbUser.length} characters long: the maximum is 64.`;
  }
  return roleNameProblem(dbUser);
}
