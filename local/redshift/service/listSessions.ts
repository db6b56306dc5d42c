import { epochSeconds } from '../statements/statementRecord.ts';
import type { Json, ServiceState } from './serviceState.ts';

/** ListSessions: the sessions kept open by SessionKeepAliveSeconds, busy or available. */
export function listSessions(state: ServiceState): Json {
  return {
    Sessions: state.sessions.list().map((s) => ({
      SessionId: s.id,
      Status: s.busy ? 'BUSY' : 'AVAILABLE',
      CreatedAt: epochSeconds(s.createdAt),
      UpdatedAt: epochSeconds(s.updatedAt),
      Database: s.connection.database,
      DbUser: s.connection.dbUser,
      ClusterIdentifier: s.connection.clusterIdentifier,
      WorkgroupName: s.connection.workgroupName,
      SessionAliveSeconds: s.keepAliveSeconds,
      CurrentStatementId: s.currentStatementId,
    })),
  };
}
