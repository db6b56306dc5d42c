import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Template } from '../../../deploy/check/template.ts';
import type { Stack } from '../../../deploy/stack/buildStack.ts';
import { type DeploySettings, parseDeploySettings } from '../../../deploy/stack/settings.ts';

/** A throwaway project tree: `files` maps relative paths to contents. */
export async function fixtureTree(
  files: Record<string, string>,
): Promise<{ root: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'rt-deploy-'));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

/** Stage parameters as serverless.yml's dev stage passes them (strings, comma lists). */
export function settings(overrides: Record<string, unknown> = {}): DeploySettings {
  return parseDeploySettings({
    service: 'rt',
    stage: 'test',
    redshiftClusterIdentifier: 'c1',
    redshiftWorkgroupArn: '',
    redshiftDatabase: 'dev',
    redshiftSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rs-AbCdEf',
    redshiftDbUser: '',
    stagingBucket: 'staging-b',
    exportsBucket: 'exports-b',
    landingBucket: 'landing-b',
    stateBucket: 'state-b',
    kmsKeyArn: '',
    emrClusterId: 'j-ABC',
    createRedshiftRole: 'false',
    stateMachineLogLevel: 'ERROR',
    logRetentionInDays: '7',
    scheduleTimezone: 'UTC',
    schedulesEnabled: 'true',
    ...overrides,
  });
}

/**
 * The template osls would produce from a built stack, reduced to what the checkers read: each
 * function becomes an AWS::Lambda::Function with osls' logical id, handler and role.
 */
export function templateOf(stack: Stack): Template {
  const Resources: Template['Resources'] = {
    ...(stack.resources.Resources as unknown as Template['Resources']),
  };
  for (const [name, fn] of Object.entries(stack.functions)) {
    const logicalId = `${name.charAt(0).toUpperCase()}${name.slice(1)}LambdaFunction`;
    Resources[logicalId] = {
      Type: 'AWS::Lambda::Function',
      Properties: { Handler: fn.handler, Role: { 'Fn::GetAtt': [String(fn.role), 'Arn'] } },
    };
  }
  return {
    Parameters: stack.resources.Parameters as Record<string, unknown>,
    Conditions: stack.resources.Conditions as Record<string, unknown>,
    Resources,
    Outputs: stack.resources.Outputs as Record<string, unknown>,
  };
}

export const functionsYml = `defaults:\n  memorySize: 256\n  timeout: 30\nfunctions: {}\n`;

/** A handler module the way functions/*.ts are written (thin, one call into src/). */
export const handlerCalling = (srcModule: string, fn: string) =>
  `import { ${fn} } from '../src/${srcModule}.ts';\nexport const handler = async (event: unknown) => ${fn}(event);\n`;
