import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** The wire endpoint's TLS material, as files a client can be pointed at, and as PEM text. */
export interface WireCertificate {
  /** The local CA that signed the server certificate: what clients trust (sslrootcert, SSL_CERT_FILE). */
  caFile: string;
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

const CA_DAYS = 3650;
const SERVER_DAYS = 397;
/** A certificate this close to its end is renewed at start, so a running stack never sees it expire. */
const RENEW_BEFORE_MS = 30 * 86_400_000;
/** Where clients connect: the endpoint listens on loopback only. */
const SERVER_IP = '127.0.0.1';
const SERVER_DNS = 'localhost';

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a PEM. */
async function writeAtomic(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, path);
}

function usable(pem: string | undefined, now: Date): X509Certificate | undefined {
  if (pem === undefined) return undefined;
  try {
    const cert = new X509Certificate(pem);
    return new Date(cert.validTo).getTime() - now.getTime() > RENEW_BEFORE_MS ? cert : undefined;
  } catch {
    return undefined; // Unreadable: made again.
  }
}

/**
 * The certificate of the wire endpoint under `dir`: a local CA (`ca.pem`, kept for ten years so
 * that a client told to trust it once keeps trusting it) and a server certificate it signs for
 * 127.0.0.1 and localhost (`server.pem`, `server.key`). Made at first start, reused after, renewed
 * when close to its end; private keys are 0600. ECDSA P-256 (instant to generate, every client
 * here speaks it).
 */
export async function ensureWireCertificate(dir: string, now = new Date()): Promise<WireCertificate> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files = {
    caFile: join(dir, 'ca.pem'),
    caKeyFile: join(dir, 'ca.key'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
  };
  let caPem = await readIfPresent(files.caFile);
  let caKey = await readIfPresent(files.caKeyFile);
  let ca = usable(caPem, now);
  if (ca === undefined || caKey === undefined || caPem === undefined) {
    const made = await generate([{ name: 'commonName', value: 'redshift-transfer local CA' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: new Date(now.getTime() - 3_600_000),
      notAfterDate: new Date(now.getTime() + CA_DAYS * 86_400_000),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
    caPem = made.cert;
    caKey = made.private;
    ca = new X509Certificate(caPem);
    await writeAtomic(files.caKeyFile, caKey, 0o600);
    await writeAtomic(files.caFile, caPem, 0o644);
  }
  const serverPem = await readIfPresent(files.certFile);
  const serverKey = await readIfPresent(files.keyFile);
  const server = usable(serverPem, now);
  if (
    server !== undefined &&
    serverPem !== undefined &&
    serverKey !== undefined &&
    server.checkIssued(ca) &&
    server.verify(ca.publicKey) &&
    server.checkIP(SERVER_IP) !== undefined
  ) {
    return {
      caFile: files.caFile,
      certFile: files.certFile,
      keyFile: files.keyFile,
      cert: serverPem,
      key: serverKey,
    };
  }
  const made = await generate([{ name: 'commonName', value: SERVER_DNS }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 3_600_000),
    notAfterDate: new Date(now.getTime() + SERVER_DAYS * 86_400_000),
    ca: { key: caKey, cert: caPem },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: SERVER_IP },
          { type: 2, value: SERVER_DNS },
        ],
      },
    ],
  });
  await writeAtomic(files.keyFile, made.private, 0o600);
  await writeAtomic(files.certFile, made.cert, 0o644);
  return {
    caFile: files.caFile,
    certFile: files.certFile,
    keyFile: files.keyFile,
    cert: made.cert,
    key: made.private,
  };
}
