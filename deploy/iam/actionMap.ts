/**
 * How an AWS SDK v3 command maps to the IAM actions that authorise it. Most commands are
 * `<service prefix>:<Command name without "Command">`; the table lists the exceptions (S3 mostly,
 * whose IAM vocabulary predates its API names). Sources: the Service Authorization Reference
 * ("Actions defined by Amazon S3") and the S3 API reference "Permissions" sections.
 */

/** `@aws-sdk/client-<x>` -> IAM service prefix. A client missing here is reported, never guessed. */
export const servicePrefixes: Readonly<Record<string, string>> = {
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-redshift-data': 'redshift-data',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-emr': 'elasticmapreduce',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-redshift': 'redshift',
  '@aws-sdk/client-redshift-serverless': 'redshift-serverless',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-kms': 'kms',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-scheduler': 'scheduler',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
};

const exceptions: Readonly<Record<string, readonly string[]>> = {
  's3:ListObjectsV2': ['s3:ListBucket'],
  's3:ListObjects': ['s3:ListBucket'],
  's3:HeadBucket': ['s3:ListBucket'],
  's3:HeadObject': ['s3:GetObject'],
  's3:DeleteObjects': ['s3:DeleteObject'],
  's3:CopyObject': ['s3:GetObject', 's3:PutObject'],
  's3:CreateMultipartUpload': ['s3:PutObject'],
  's3:UploadPart': ['s3:PutObject'],
  's3:CompleteMultipartUpload': ['s3:PutObject'],
  's3:UploadPartCopy': ['s3:GetObject', 's3:PutObject'],
  's3:ListParts': ['s3:ListMultipartUploadParts'],
  's3:ListMultipartUploads': ['s3:ListBucketMultipartUploads'],
  's3:ListObjectVersions': ['s3:ListBucketVersions'],
  's3:SelectObjectContent': ['s3:GetObject'],
  'redshift-data:GetStatementResultV2': ['redshift-data:GetStatementResult'],
  'states:StartSyncExecution': ['states:StartSyncExecution'],
};

/** Commands that read an object version when the request names `VersionId`. */
const versionedReads = new Set(['s3:GetObject', 's3:HeadObject', 's3:CopyObject', 's3:GetObjectTagging']);

/**
 * The IAM actions a `new <command>(input)` needs. `withVersionId` is true when the input literal
 * names a `VersionId` (S3 then also checks `s3:GetObjectVersion`). Undefined for an unknown client.
 */
export function actionsForCommand(
  clientPackage: string,
  command: string,
  withVersionId = false,
): readonly string[] | undefined {
  const prefix = servicePrefixes[clientPackage];
  if (prefix === undefined) return undefined;
  const operation = command.replace(/Command$/, '');
  const api = `${prefix}:${operation}`;
  const actions = [...(exceptions[api] ?? [api])];
  if (withVersionId && versionedReads.has(api)) actions.push('s3:GetObjectVersion');
  return actions;
}

/**
 * `@aws-sdk/lib-storage` `Upload`: PutObject for small bodies, multipart upload otherwise (all
 * authorised by s3:PutObject), and AbortMultipartUpload when a part fails.
 */
export const uploadActions: readonly string[] = ['s3:PutObject', 's3:AbortMultipartUpload'];
