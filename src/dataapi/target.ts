import type { RedshiftTarget } from '../job/common.ts';

/** The connection fields of a Data API request for a cluster (dbUser or secret) or a workgroup. */
export interface TargetParams {
  ClusterIdentifier?: string;
  WorkgroupName?: string;
  Database: string;
  DbUser?: string;
  SecretArn?: string;
}

export function targetParams(target: RedshiftTarget): TargetParams {
  if ('workgroupName' in target) {
    return {
      WorkgroupName: target.workgroupName,
      Database: target.database,
      ...(target.secretArn === undefined ? {} : { SecretArn: target.secretArn }),
    };
  }
  return {
    ClusterIdentifier: target.clusterIdentifier,
    Database: target.database,
    ...(target.dbUser === undefined ? {} : { DbUser: target.dbUser }),
    ...(target.secretArn === undefined ? {} : { SecretArn: target.secretArn }),
  };
}
