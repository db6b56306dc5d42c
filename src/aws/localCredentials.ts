/**
 * The key pair of the local stack. Its S3 checks SigV4 signatures against it (as S3 checks them
 * against IAM), and its other services accept any key; real credentials from the environment
 * would be refused by the local S3, so local endpoints always get this pair.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
