import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws/clients.ts';
import {
  AwsJsonError as ApiError,
  dispatchTable,
  type Operation,
  startAwsJsonServer,
} from '../http/startAwsJsonServer.ts';
import { LocalCluster, parseS3, type StepConfig, type StepRecord, type StepState } from './localCluster.ts';

export interface LocalEmrOptions {
  region?: string;
  /** The local S3 the steps read and write (s3:// is served by hadoop-aws against it). */
  s3Endpoint: string;
  /** The one cluster this EMR knows; other ids get InvalidRequestException, as on EMR. */
  clusterId?: string;
  /** The cluster's LogUri (`s3://bucket/prefix/`); step logs land under it like on EMR. */
  logUri?: string;
  /** Shortcut for `logUri: s3://<logBucket>/emr-logs/` (the bucket is created if missing). */
  logBucket?: string;
  /** Where PySpark (.venv) and the jars are; default: the project's spark/. */
  sparkDir?: string;
  /** Cores for `local[N]`; default 2. */
  cores?: number;
  port?: number;
  /**
   * Where the steps' working directory is made (default: the system temp directory). The local
   * stack gives its data directory: a stack killed before stop() leaves nothing outside it.
   */
  workRoot?: string;
}

export interface LocalEmr {
  endpoint: string;
  clusterId: string;
  logUri: string | undefined;
  /** Resolves when a step reaches one of `states` (default: a terminal state). */
  waitForStep(stepId: string, states?: readonly StepState[]): Promise<StepRecord>;
  stop(): Promise<void>;
}

const CLUSTER_NAME = 'redshift-transfer local EMR';

/**
 * A local Amazon EMR endpoint (AWS JSON 1.1, `X-Amz-Target: ElasticMapReduce.<Op>`) for
 * AddJobFlowSteps, DescribeStep, ListSteps, CancelSteps, DescribeCluster, ListInstanceGroups,
 * ListBootstrapActions and ListClusters on one cluster,
 * whose steps really run: spark-submit with the PySpark of spark/.venv, anything else as given.
 * Use it with the real `@aws-sdk/client-emr` by setting `endpoint`.
 */
export async function startLocalEmr(options: LocalEmrOptions): Promise<LocalEmr> {
  const clusterId = options.clusterId ?? 'j-LOCAL';
  const region = options.region ?? 'us-east-1';
  const s3 = createS3Client({ region, endpoint: options.s3Endpoint });
  const logUri =
    options.logUri ?? (options.logBucket === undefined ? undefined : `s3://${options.logBucket}/emr-logs/`);
  if (logUri !== undefined) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: parseS3(logUri).bucket }));
    } catch (error) {
      if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes((error as Error).name)) throw error;
    }
  }
  const workDir = await mkdtemp(join(options.workRoot ?? tmpdir(), 'rt-local-emr-'));
  const cluster = new LocalCluster({
    clusterId,
    s3,
    s3Endpoint: options.s3Endpoint,
    logUri,
    workDir,
    sparkDir: options.sparkDir,
    cores: options.cores ?? 2,
  });

  // AWS JSON 1.1 timestamps are epoch seconds.
  const createdAt = Date.now() / 1000;
  const clusterArn = `arn:aws:elasticmapreduce:${region}:000000000000:cluster/${clusterId}`;
  const status = () => ({
    State: cluster.terminated ? 'TERMINATED' : 'WAITING',
    StateChangeReason: cluster.terminated
      ? { Code: 'USER_REQUEST', Message: 'Terminated by a TERMINATE_CLUSTER step' }
      : { Message: 'Cluster ready to run steps.' },
    Timeline: { CreationDateTime: createdAt, ReadyDateTime: createdAt },
  });

  const operations: Record<string, Operation> = {
    AddJobFlowSteps: (body) => {
      requireCluster(body.JobFlowId, clusterId, 'JobFlowId');
      if (cluster.terminated) {
        throw new ApiError(
          'ValidationException',
          'A job flow that is shutting down, terminated, or finished may not be modified.',
        );
      }
      const steps = body.Steps;
      if (!Array.isArray(steps) || steps.length === 0)
        throw new ApiError('ValidationException', 'Steps must contain at least one step.');
      const configs = steps.map((s, i) => parseStepConfig(s, i));
      try {
        return { StepIds: cluster.addSteps(configs) };
      } catch (error) {
        throw new ApiError('ValidationException', (error as Error).message);
      }
    },
    DescribeStep: (body) => {
      requireCluster(body.ClusterId, clusterId, 'ClusterId');
      return { Step: describe(stepOf(body.StepId)) };
    },
    ListSteps: (body) => {
      requireCluster(body.ClusterId, clusterId, 'ClusterId');
      const states = Array.isArray(body.StepStates) ? (body.StepStates as string[]) : [];
      const ids = Array.isArray(body.StepIds) ? (body.StepIds as string[]) : [];
      const all = [...cluster.steps.values()]
        .reverse()
        .filter(
          (s) =>
            (states.length === 0 || states.includes(s.state)) && (ids.length === 0 || ids.includes(s.id)),
        );
      const start = typeof body.Marker === 'string' ? Number.parseInt(body.Marker, 10) || 0 : 0;
      const page = all.slice(start, start + 50);
      return {
        Steps: page.map((s) => describe(s)),
        ...(start + 50 < all.length ? { Marker: String(start + 50) } : {}),
      };
    },
    CancelSteps: (body) => {
      requireCluster(body.ClusterId, clusterId, 'ClusterId');
      if (!Array.isArray(body.StepIds) || body.StepIds.length === 0)
        throw new ApiError('ValidationException', 'StepIds must not be empty.');
      const option =
        typeof body.StepCancellationOption === 'string' ? body.StepCancellationOption : undefined;
      return {
        CancelStepsInfoList: (body.StepIds as string[]).map((id) => cluster.cancel(String(id), option)),
      };
    },
    DescribeCluster: (body) => {
      requireCluster(body.ClusterId, clusterId, 'ClusterId');
      return {
        Cluster: {
          Id: clusterId,
          Name: CLUSTER_NAME,
          ClusterArn: clusterArn,
          Status: status(),
          ...(logUri === undefined ? {} : { LogUri: logUri }),
          StepConcurrencyLevel: 1,
          ReleaseLabel: 'local',
          Applications: [{ Name: 'Spark' }],
          // The AWS CLI's describe-cluster follows this with ListInstanceGroups.
          InstanceCollectionType: 'INSTANCE_GROUP',
          Ec2InstanceAttributes: {},
          MasterPublicDnsName: '127.0.0.1',
          AutoTerminate: false,
          TerminationProtected: false,
          VisibleToAllUsers: true,
          NormalizedInstanceHours: 0,
          Tags: [],
          Configurations: [],
        },
      };
    },
    ListInstanceGroups: (body) => {
      requireCluster(body.ClusterId, clusterId, 'ClusterId');
      const groupState = cluster.terminated ? 'TERMINATED' : 'RUNNING';
      return {
        InstanceGroups: [
          {
            Id: 'ig-LOCALMASTER',
            Name: 'Master (this machine)',
            Market: 'ON_DEMAND',
            InstanceGroupType: 'MASTER',
            InstanceType: 'local',
            RequestedInstanceCount: 1,
            RunningInstanceCount: cluster.terminated ? 0 : 1,
            Status: { State: groupState, StateChangeReason: {}, Timeline: { CreationDateTime: createdAt } },
            Configurations: [],
            EbsBlockDevices: [],
            ShrinkPolicy: {},
          },
        ],
      };
    },
    // describe-cluster in the AWS CLI lists these too; the local cluster has none.
    ListBootstrapActions: (body) => {
      requireCluster(body.ClusterId, clusterId, 'ClusterId');
      return { BootstrapActions: [] };
    },
    ListClusters: (body) => {
      const states = Array.isArray(body.ClusterStates) ? (body.ClusterStates as string[]) : [];
      const after = typeof body.CreatedAfter === 'number' ? body.CreatedAfter : undefined;
      const before = typeof body.CreatedBefore === 'number' ? body.CreatedBefore : undefined;
      const current = status();
      const listed =
        (states.length === 0 || states.includes(current.State)) &&
        (after === undefined || createdAt >= after) &&
        (before === undefined || createdAt <= before);
      return {
        Clusters: listed
          ? [
              {
                Id: clusterId,
                Name: CLUSTER_NAME,
                Status: current,
                NormalizedInstanceHours: 0,
                ClusterArn: clusterArn,
              },
            ]
          : [],
      };
    },
  };

  function stepOf(id: unknown): StepRecord {
    const step = typeof id === 'string' ? cluster.steps.get(id) : undefined;
    if (step === undefined)
      throw new ApiError('InvalidRequestException', `Step id '${String(id)}' is not valid.`);
    return step;
  }

  const server = await startAwsJsonServer({
    targetPrefix: 'ElasticMapReduce',
    jsonVersion: '1.1',
    internalErrorType: 'InternalServerError',
    dispatch: dispatchTable('ElasticMapReduce', operations),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  return {
    endpoint: server.endpoint,
    clusterId,
    logUri,
    waitForStep: (stepId, states) => cluster.waitForStep(stepId, states),
    stop: async () => {
      await server.close(() => cluster.shutdown());
      s3.destroy();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

function requireCluster(value: unknown, clusterId: string, field: string): void {
  if (value !== clusterId) {
    throw new ApiError(
      'InvalidRequestException',
      `${field} '${String(value)}' is not valid: the local EMR runs cluster ${clusterId} only.`,
    );
  }
}

function parseStepConfig(raw: unknown, index: number): StepConfig {
  const step = (raw ?? {}) as Record<string, unknown>;
  const jarStep = (step.HadoopJarStep ?? {}) as Record<string, unknown>;
  const where = `Steps.${index + 1}`;
  if (typeof step.Name !== 'string' || step.Name.length === 0 || step.Name.length > 256) {
    throw new ApiError('ValidationException', `${where}.Name must be 1 to 256 characters.`);
  }
  if (typeof jarStep.Jar !== 'string' || jarStep.Jar === '')
    throw new ApiError('ValidationException', `${where}.HadoopJarStep.Jar is required.`);
  const args = Array.isArray(jarStep.Args) ? jarStep.Args : [];
  if (!args.every((a) => typeof a === 'string'))
    throw new ApiError('ValidationException', `${where}.HadoopJarStep.Args must be strings.`);
  const action = typeof step.ActionOnFailure === 'string' ? step.ActionOnFailure : 'CONTINUE';
  if (!['CONTINUE', 'CANCEL_AND_WAIT', 'TERMINATE_CLUSTER', 'TERMINATE_JOB_FLOW'].includes(action)) {
    throw new ApiError(
      'ValidationException',
      `${where}.ActionOnFailure '${action}' is not one of CONTINUE, CANCEL_AND_WAIT, TERMINATE_CLUSTER, TERMINATE_JOB_FLOW.`,
    );
  }
  return {
    Name: step.Name,
    ActionOnFailure: action,
    HadoopJarStep: {
      Jar: jarStep.Jar,
      Args: args as string[],
      ...(typeof jarStep.MainClass === 'string' ? { MainClass: jarStep.MainClass } : {}),
      Properties: Array.isArray(jarStep.Properties)
        ? (jarStep.Properties as { Key: string; Value: string }[])
        : [],
    },
  };
}

const seconds = (d: Date | undefined) => (d === undefined ? undefined : d.getTime() / 1000);

/** A step as DescribeStep and ListSteps return it (timestamps in epoch seconds, as in AWS JSON). */
function describe(step: StepRecord) {
  return {
    Id: step.id,
    Name: step.config.Name,
    Config: {
      Jar: step.config.HadoopJarStep.Jar,
      Args: step.config.HadoopJarStep.Args,
      Properties: Object.fromEntries(step.config.HadoopJarStep.Properties.map((p) => [p.Key, p.Value])),
      ...(step.config.HadoopJarStep.MainClass === undefined
        ? {}
        : { MainClass: step.config.HadoopJarStep.MainClass }),
    },
    ActionOnFailure: step.config.ActionOnFailure,
    Status: {
      State: step.state,
      StateChangeReason: step.stateChangeReason ?? {},
      ...(step.failureDetails === undefined ? {} : { FailureDetails: step.failureDetails }),
      Timeline: {
        CreationDateTime: seconds(step.created),
        ...(step.started === undefined ? {} : { StartDateTime: seconds(step.started) }),
        ...(step.ended === undefined ? {} : { EndDateTime: seconds(step.ended) }),
      },
    },
  };
}
