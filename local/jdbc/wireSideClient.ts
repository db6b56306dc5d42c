import pg from 'pg';

/** The application_name of the wire's side connections, which tells them apart in pg_stat_activity. */
export const WIRE_SIDE_APPLICATION = 'redshift-wire-side';

/**
 * A side connection of a wire connection (UNLOAD/COPY, the operand probe). The engine may end it
 * (pg_terminate_backend, a fast shutdown, DROP DATABASE ... WITH (FORCE)): pg then emits 'error'
 * on the client, which without a listener ends the whole process. Here `onGone` hears it, and the
 * connection's end: the client can run nothing more.
 */
export function wireSideClient(config: { url: string; options?: string }, onGone: () => void): pg.Client {
  const client = new pg.Client({
    connectionString: config.url,
    application_name: WIRE_SIDE_APPLICATION,
    ...(config.options === undefined ? {} : { options: config.options }),
  });
  client.on('error', onGone);
  client.once('end', onGone);
  return client;
}
