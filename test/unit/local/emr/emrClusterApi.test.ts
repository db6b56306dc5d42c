import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeClusterCommand, ListClustersCommand, ListInstanceGroupsCommand } from '@aws-sdk/client-emr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEmr, startLocalEmr } from '../../../../local/emr/startLocalEmr.ts';
import { createEmrClient } from '../../../../src/aws/clients.ts';
import { testPythonFor } from '../../../helpers/pythonEnv.ts';
import { startTestS3, type TestS3 } from '../../../helpers/testS3.ts';

const run = promisify(execFile);
const py = testPythonFor('test/unit/local/emr/emrClusterApi.test.ts');

let s3: TestS3;
let emr: LocalEmr;
let home: string;

beforeAll(async () => {
  s3 = await startTestS3();
  emr = await startLocalEmr({ s3Endpoint: s3.endpoint, logBucket: 'rt-emr-cluster-logs' });
  home = await mkdtemp(join(tmpdir(), 'rt-emr-cli-'));
});

afterAll(async () => {
  await emr?.stop();
  await s3?.stop();
  await rm(home, { recursive: true, force: true });
});

describe('local EMR cluster APIs', () => {
  it('DescribeCluster, ListInstanceGroups and ListClusters through the AWS SDK for JS', async () => {
    const client = createEmrClient({ region: 'us-east-1', endpoint: emr.endpoint });
    try {
      const { Cluster } = await client.send(new DescribeClusterCommand({ ClusterId: emr.clusterId }));
      expect(Cluster?.Id).toBe(emr.clusterId);
      expect(Cluster?.Status?.State).toBe('WAITING');
      expect(Cluster?.Status?.Timeline?.CreationDateTime).toBeInstanceOf(Date);
      expect(Cluster?.InstanceCollectionType).toBe('INSTANCE_GROUP');
      expect(Cluster?.LogUri).toBe('s3://rt-emr-cluster-logs/emr-logs/');
      const groups = await client.send(new ListInstanceGroupsCommand({ ClusterId: emr.clusterId }));
      expect(groups.InstanceGroups?.map((g) => [g.InstanceGroupType, g.RunningInstanceCount])).toEqual([
        ['MASTER', 1],
      ]);
      const active = await client.send(new ListClustersCommand({ ClusterStates: ['WAITING', 'RUNNING'] }));
      expect(active.Clusters?.map((c) => c.Id)).toEqual([emr.clusterId]);
      const terminated = await client.send(new ListClustersCommand({ ClusterStates: ['TERMINATED'] }));
      expect(terminated.Clusters).toEqual([]);
      const unknown = client.send(new DescribeClusterCommand({ ClusterId: 'j-NOSUCH' }));
      await expect(unknown).rejects.toMatchObject({ name: 'InvalidRequestException' });
    } finally {
      client.destroy();
    }
  });

  it.skipIf(!py.ok)(
    'aws emr describe-cluster (which calls ListInstanceGroups and ListBootstrapActions), list-clusters --active (AWS CLI)',
    async () => {
      const aws = join(dirname(py.ok ? py.python : ''), 'aws');
      const env = {
        PATH: process.env.PATH,
        HOME: home,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: join(home, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
      };
      const cli = async (...args: string[]) =>
        JSON.parse(
          (await run(aws, ['--endpoint-url', emr.endpoint, '--output', 'json', 'emr', ...args], { env }))
            .stdout,
        );
      const described = await cli('describe-cluster', '--cluster-id', emr.clusterId);
      expect(described.Cluster.Id).toBe(emr.clusterId);
      expect(described.Cluster.Status.State).toBe('WAITING');
      expect(
        described.Cluster.InstanceGroups.map((g: { InstanceGroupType: string }) => g.InstanceGroupType),
      ).toEqual(['MASTER']);
      const listed = await cli('list-clusters', '--active');
      expect(listed.Clusters.map((c: { Id: string }) => c.Id)).toEqual([emr.clusterId]);
    },
  );
});
