import { EMRClient } from '@aws-sdk/client-emr';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Env } from '../config/env.ts';
import { LOCAL_CREDENTIALS } from './localCredentials.ts';

export interface ClientOptions {
  region: string;
  endpoint?: string | undefined;
}

/**
 * S3 client used by the whole project. Checksums are computed only when S3 requires them:
 * that is valid on AWS and it is what the local S3 server needs (with the SDK's default it
 * stores streamed bodies with aws-chunked framing). Path style only against a custom endpoint.
 */
export function createS3Client({ region, endpoint }: ClientOptions): S3Client {
  return new S3Client({
    region,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true, credentials: localCredentials() }),
  });
}

export function createRedshiftDataClient({ region, endpoint }: ClientOptions): RedshiftDataClient {
  return new RedshiftDataClient({
    region,
    ...(endpoint === undefined ? {} : { endpoint, credentials: localCredentials() }),
  });
}

export function createSfnClient({ region, endpoint }: ClientOptions): SFNClient {
  return new SFNClient({
    region,
    ...(endpoint === undefined ? {} : { endpoint, credentials: localCredentials() }),
  });
}

export function createEmrClient({ region, endpoint }: ClientOptions): EMRClient {
  return new EMRClient({
    region,
    ...(endpoint === undefined ? {} : { endpoint, credentials: localCredentials() }),
  });
}

export interface AwsClients {
  s3: S3Client;
  redshiftData: RedshiftDataClient;
  sfn: SFNClient;
  emr: EMRClient;
}

/** All clients from the environment: AWS by default, the local stack when endpoints are set. */
export function createClients(env: Env): AwsClients {
  const region = env.AWS_REGION;
  return {
    s3: createS3Client({ region, endpoint: env.RT_ENDPOINT_S3 }),
    redshiftData: createRedshiftDataClient({ region, endpoint: env.RT_ENDPOINT_REDSHIFT_DATA }),
    sfn: createSfnClient({ region, endpoint: env.RT_ENDPOINT_SFN }),
    emr: createEmrClient({ region, endpoint: env.RT_ENDPOINT_EMR }),
  };
}

/** A fresh copy per client: the SDK may attach state to the object it is given. */
function localCredentials() {
  return { ...LOCAL_CREDENTIALS };
}
