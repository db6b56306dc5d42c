/**
 * Actions a function needs without calling them itself: AWS checks them on the function's role
 * when it serves a call the code does make. The IAM checker counts them as used; the policy
 * builder grants them from the stage parameters.
 */

/** Lambda writes its own logs through its role. */
export const runtimeActions: readonly string[] = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/** Data API actions that connect to the database (and so authenticate). */
export const connectingDataApiActions: readonly string[] = [
  'redshift-data:BatchExecuteStatement',
  'redshift-data:DescribeTable',
  'redshift-data:ExecuteStatement',
  'redshift-data:ListDatabases',
  'redshift-data:ListSchemas',
  'redshift-data:ListTables',
];

/** The Data API authenticates the caller by exactly one of these, depending on the target. */
export const dataApiAuthActions: readonly string[] = [
  'redshift-serverless:GetCredentials',
  'redshift:GetClusterCredentials',
  'redshift:GetClusterCredentialsWithIAM',
  'secretsmanager:GetSecretValue',
];

const s3ObjectReads = new Set(['s3:GetObject', 's3:GetObjectVersion']);
const s3ObjectWrites = new Set(['s3:PutObject']);

export interface ImpliedActions {
  /** Needed, always. */
  required: string[];
  /** Groups of which the role must grant at least one (the Data API auth path). */
  oneOf: string[][];
  /** Allowed when the stage uses them (SSE-KMS on the buckets). */
  optional: string[];
}

/** What the code's own actions imply for the role. */
export function impliedActions(codeActions: readonly string[]): ImpliedActions {
  const set = new Set(codeActions);
  const oneOf: string[][] = [];
  if (connectingDataApiActions.some((a) => set.has(a))) oneOf.push([...dataApiAuthActions]);
  const optional: string[] = [];
  if ([...set].some((a) => s3ObjectReads.has(a))) optional.push('kms:Decrypt');
  // SSE-KMS multipart uploads need Decrypt too (S3 decrypts the data key to assemble parts).
  if ([...set].some((a) => s3ObjectWrites.has(a))) optional.push('kms:GenerateDataKey', 'kms:Decrypt');
  return { required: [...runtimeActions], oneOf, optional: [...new Set(optional)].sort() };
}
