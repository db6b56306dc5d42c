import { describe, expect, it } from 'vitest';
import { startupSession } from '../../../../local/jdbc/startupSession.ts';
import { buildStartupPacket } from '../../../../local/jdbc/wireMessages.ts';
import { SESSION_OPTIONS } from '../../../../local/redshift/engine/databasePools.ts';

const packet = (entries: [string, string][]) => buildStartupPacket(new Map(entries));

describe('Function: startupSession', () => {
  it("drops the Redshift JDBC driver's own parameters and puts the Redshift session settings first", () => {
    // Prepare: what the Redshift JDBC driver sends (its extra keys PostgreSQL would refuse).
    const startup = packet([
      ['user', 'analyst'],
      ['database', 'dev'],
      ['driver_version', 'Redshift JDBC Driver 2.1.0.30'],
      ['client_protocol_version', '2'],
      ['application_name', 'spark'],
      ['options', '-c statement_timeout=5000'],
    ]);
    // Act
    const { session, params } = startupSession(startup);
    // Assess
    expect(session).toEqual({ database: 'dev', user: 'analyst' });
    expect([...params]).toEqual([
      ['user', 'analyst'],
      ['database', 'dev'],
      ['application_name', 'spark'],
      ['options', `${SESSION_OPTIONS} -c statement_timeout=5000`],
    ]);
  });

  it('names the database after the user when the client names none, as PostgreSQL does', () => {
    const { session, params } = startupSession(packet([['user', 'etl']]));
    expect(session).toEqual({ database: 'etl', user: 'etl' });
    expect(params.get('options')).toBe(SESSION_OPTIONS);
  });
});
