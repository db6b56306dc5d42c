/**
 * A part's full-object checksum as S3 reports it (`x-amz-checksum-*`, base64), so a reader can
 * compare `_manifest.json` with `aws s3api head-object --checksum-mode ENABLED` without reading
 * the object. Carried through the state machine as one compact string, `ALGORITHM:base64`.
 */
export type ChecksumAlgorithm = 'SHA256' | 'CRC64NVME';

export interface PartChecksum {
  algorithm: ChecksumAlgorithm;
  /** Base64, as in S3's `ChecksumSHA256` / `ChecksumCRC64NVME`. */
  value: string;
}

export function formatChecksum(checksum: PartChecksum): string {
  return `${checksum.algorithm}:${checksum.value}`;
}

/** `SHA256:base64` -> `{ algorithm, value }`; undefined for '' or an unknown algorithm. */
export function parseChecksum(text: string): PartChecksum | undefined {
  const m = /^(SHA256|CRC64NVME):([A-Za-z0-9+/]+=*)$/.exec(text);
  if (m === null) return undefined;
  return { algorithm: m[1] as ChecksumAlgorithm, value: m[2] ?? '' };
}

/** The checksum of bytes hashed here (hex SHA-256) in S3's form. */
export function sha256Checksum(hex: string): string {
  return formatChecksum({ algorithm: 'SHA256', value: Buffer.from(hex, 'hex').toString('base64') });
}

/** The hex SHA-256 inside a `SHA256:base64` checksum; '' for any other. */
export function sha256FromChecksum(text: string | undefined): string {
  const checksum = text === undefined ? undefined : parseChecksum(text);
  return checksum?.algorithm === 'SHA256' ? Buffer.from(checksum.value, 'base64').toString('hex') : '';
}
