import { RedshiftSqlError } from '../types.ts';
import type { Authorization } from './ast.ts';
import type { Cursor } from './cursor.ts';

/** Authorization clauses as they are collected while options are read in any order. */
export interface AuthParts {
  iamRole?: 'default' | string[];
  credentials?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/** Reads one authorization clause at the cursor if there is one; returns false otherwise. */
export function readAuthorizationClause(
  cur: Cursor,
  parts: AuthParts,
  seen: (name: string) => void,
): boolean {
  const w = cur.peekWord();
  if (w === 'IAM_ROLE') {
    cur.next();
    seen('IAM_ROLE');
    if (cur.acceptWord('DEFAULT')) {
      parts.iamRole = 'default';
    } else {
      const text = cur.expectString('IAM_ROLE');
      const roles = text.split(',').map((r) => r.trim());
      for (const r of roles) {
        if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\-/]+$/.test(r))
          throw new RedshiftSqlError(
            `Invalid IAM_ROLE ARN "${r}": expected arn:aws:iam::<account-id>:role/<role-name>`,
            '22023',
          );
      }
      parts.iamRole = roles;
    }
    return true;
  }
  if (w === 'WITH' && cur.peekWord(1) === 'CREDENTIALS') cur.next();
  if (cur.peekWord() === 'CREDENTIALS') {
    cur.next();
    seen('CREDENTIALS');
    cur.acceptWord('AS');
    parts.credentials = cur.expectString('CREDENTIALS');
    return true;
  }
  if (w === 'ACCESS_KEY_ID' || w === 'SECRET_ACCESS_KEY' || w === 'SESSION_TOKEN') {
    cur.next();
    seen(w);
    cur.acceptWord('AS');
    const v = cur.expectString(w);
    if (w === 'ACCESS_KEY_ID') parts.accessKeyId = v;
    else if (w === 'SECRET_ACCESS_KEY') parts.secretAccessKey = v;
    else parts.sessionToken = v;
    return true;
  }
  return false;
}

/** Checks the documented exclusions and turns the collected parts into one Authorization. */
export function finishAuthorization(parts: AuthParts): Authorization {
  const hasKeys =
    parts.accessKeyId !== undefined ||
    parts.secretAccessKey !== undefined ||
    parts.sessionToken !== undefined;
  if (parts.iamRole !== undefined && (hasKeys || parts.credentials !== undefined))
    throw new RedshiftSqlError(
      'IAM_ROLE cannot be used with ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN or CREDENTIALS: use one form of authorization.',
      '42601',
    );
  if (parts.credentials !== undefined && hasKeys)
    throw new RedshiftSqlError(
      'CREDENTIALS cannot be used with ACCESS_KEY_ID, SECRET_ACCESS_KEY or SESSION_TOKEN: use one form of authorization.',
      '42601',
    );
  if (parts.iamRole !== undefined) return { kind: 'iamRole', roles: parts.iamRole };
  if (parts.credentials !== undefined) {
    const creds = parseCredentialsString(parts.credentials);
    if (!('aws_iam_role' in creds) && !('aws_access_key_id' in creds && 'aws_secret_access_key' in creds))
      throw new RedshiftSqlError(
        "Invalid credentials. Must be of the format: credentials 'aws_iam_role=...' or 'aws_access_key_id=...;aws_secret_access_key=...[;token=...]'",
        '22023',
      );
    return { kind: 'credentials', value: parts.credentials };
  }
  if (hasKeys) {
    if (parts.accessKeyId === undefined || parts.secretAccessKey === undefined)
      throw new RedshiftSqlError('ACCESS_KEY_ID and SECRET_ACCESS_KEY must be given together.', '42601');
    return {
      kind: 'keys',
      accessKeyId: parts.accessKeyId,
      secretAccessKey: parts.secretAccessKey,
      sessionToken: parts.sessionToken,
    };
  }
  throw new RedshiftSqlError(
    "Missing authorization: add IAM_ROLE 'arn:aws:iam::<account-id>:role/<role-name>' (or IAM_ROLE default, CREDENTIALS, or ACCESS_KEY_ID/SECRET_ACCESS_KEY).",
    '42601',
  );
}

function parseCredentialsString(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return out;
}
