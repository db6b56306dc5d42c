/** The Go module of the local S3 gateway. */
export const gatewaySource: string;
/** The built gateway for the current sources (bin/install-s3.mjs builds it). */
export function gatewayBinary(): string;
