import type pg from 'pg';

/** A result column as PostgreSQL's RowDescription gives it. */
export interface DescribedField {
  name: string;
  dataTypeID: number;
  dataTypeModifier: number;
}

/**
 * Parses SQL text as ONE unnamed prepared statement and describes it, without executing it
 * (extended query protocol: Parse, Describe, Sync). PostgreSQL refuses to put more than one
 * command into a prepared statement, so text that would run a second statement fails here with
 * nothing run. Resolves to the result columns, or `undefined` when the statement returns no rows
 * (NoData: DDL, DML, COPY, SELECT INTO). Rejects with PostgreSQL's own error (code, position).
 */
export function describeStatement(
  client: pg.ClientBase,
  text: string,
): Promise<DescribedField[] | undefined> {
  return new Promise((resolve, reject) => {
    let fields: DescribedField[] | undefined;
    const submittable = {
      submit(connection: ProtocolConnection) {
        connection.parse({ text, name: '', types: [] });
        connection.describe({ type: 'S', name: '' });
        connection.sync();
      },
      handleRowDescription(msg: { fields: DescribedField[] }) {
        fields = msg.fields.map((f) => ({
          name: f.name,
          dataTypeID: f.dataTypeID,
          dataTypeModifier: f.dataTypeModifier,
        }));
      },
      // pg detaches the query on an error (backend or socket) and lets the ReadyForQuery that
      // follows a backend error go by, so an error settles the promise at once.
      handleError(err: unknown) {
        reject(err);
      },
      handleReadyForQuery() {
        resolve(fields);
      },
      // Never sent in reply to Parse/Describe; present because pg calls them on the active query.
      handleDataRow() {},
      handleCommandComplete() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyInResponse() {},
      handleCopyData() {},
    };
    client.query(submittable as unknown as pg.Submittable);
  });
}

/** The part of pg's (untyped) Connection a Submittable drives. */
interface ProtocolConnection {
  parse(msg: { text: string; name: string; types: number[] }): void;
  describe(msg: { type: 'S' | 'P'; name: string }): void;
  sync(): void;
}
