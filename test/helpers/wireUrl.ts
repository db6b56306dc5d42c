/**
 * The connection URL of the local Redshift wire endpoint for a test database: the database's URL
 * (its name and credentials) with the wire's host and port, and `user` when given.
 */
export function wireUrl(databaseUrl: string, wire: { host: string; port: number }, user?: string): string {
  const url = new URL(databaseUrl);
  url.hostname = wire.host;
  url.port = String(wire.port);
  if (user !== undefined) url.username = user;
  return url.toString();
}
